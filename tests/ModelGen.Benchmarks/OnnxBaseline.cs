using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// ONNX Runtime as a library baseline: the model written as an ONNX graph here (Gemm per Dense layer with the same
    /// weights, then the activation; silu as x * Sigmoid(x)), run in-process with one thread (intra-op and inter-op 1,
    /// sequential), all graph optimizations on, over IOBinding to pinned input and output buffers of a fixed batch.
    /// </summary>
    public sealed class OnnxBaseline : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly OrtIoBinding _binding;
        private readonly RunOptions _run = new();
        private readonly OrtValue _input, _output;

        public OnnxBaseline(Layer[] layers, ReadOnlySpan<float> parameters, float[] input, float[] output, int batch)
        {
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _session = new InferenceSession(OnnxExport.Write(layers, parameters), options);
            _input = OrtValue.CreateTensorValueFromMemory(input, new long[] { batch, layers[0].In });
            _output = OrtValue.CreateTensorValueFromMemory(output, new long[] { batch, layers[^1].Out });
            _binding = _session.CreateIoBinding();
            _binding.BindInput("x", _input);
            _binding.BindOutput("y", _output);
        }

        /// <summary>Runs the bound batch: reads the input array given to the constructor, writes the output array.</summary>
        public void Run() => _session.RunWithBinding(_run, _binding);

        public void Dispose()
        {
            _binding.Dispose();
            _input.Dispose();
            _output.Dispose();
            _run.Dispose();
            _session.Dispose();
        }
    }

    /// <summary>A minimal ONNX (protobuf) writer for the benchmark's dense models: opset 17, float32, batch dimension "N".</summary>
    public static class OnnxExport
    {
        public static byte[] Write(Layer[] layers, ReadOnlySpan<float> parameters)
        {
            var graph = new Proto();
            string current = "x";
            int offset = 0;
            for (int l = 0; l < layers.Length; l++)
            {
                Layer layer = layers[l];
                string w = $"W{l}", b = $"B{l}", z = l == layers.Length - 1 && layer.Act == Act.Linear ? "y" : $"Z{l}";
                graph.Message(5, Tensor(w, new long[] { layer.In, layer.Out }, parameters.Slice(offset, layer.In * layer.Out)));
                offset += layer.In * layer.Out;
                graph.Message(5, Tensor(b, new long[] { layer.Out }, parameters.Slice(offset, layer.Out)));
                offset += layer.Out;
                graph.Message(1, Node("Gemm", new[] { current, w, b }, z));
                string y = l == layers.Length - 1 ? "y" : $"Y{l}";
                switch (layer.Act)
                {
                    case Act.Linear: y = z; break;
                    case Act.Relu: graph.Message(1, Node("Relu", new[] { z }, y)); break;
                    case Act.Tanh: graph.Message(1, Node("Tanh", new[] { z }, y)); break;
                    case Act.Sigmoid: graph.Message(1, Node("Sigmoid", new[] { z }, y)); break;
                    case Act.Softmax: graph.Message(1, Node("Softmax", new[] { z }, y, ("axis", -1))); break;
                    case Act.Silu:
                        graph.Message(1, Node("Sigmoid", new[] { z }, $"S{l}"));
                        graph.Message(1, Node("Mul", new[] { z, $"S{l}" }, y));
                        break;
                }
                current = y;
            }
            if (offset != parameters.Length) throw new ArgumentException($"The layers hold {offset} parameters, not {parameters.Length}.");
            graph.String(2, "modelgen_benchmark");
            graph.Message(11, ValueInfo("x", layers[0].In));
            graph.Message(12, ValueInfo("y", layers[^1].Out));
            var model = new Proto();
            model.Varint(1, 8); // ir_version
            model.String(2, "ModelGen.Benchmarks");
            var opset = new Proto();
            opset.String(1, "");
            opset.Varint(2, 17);
            model.Message(8, opset);
            model.Message(7, graph);
            return model.ToArray();
        }

        private static Proto Tensor(string name, long[] dims, ReadOnlySpan<float> values)
        {
            var t = new Proto();
            foreach (long d in dims) t.Varint(1, (ulong)d);
            t.Varint(2, 1); // FLOAT
            t.String(8, name);
            var raw = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(4 * i), values[i]);
            t.Bytes(9, raw);
            return t;
        }

        private static Proto Node(string op, string[] inputs, string output, params (string Name, long Value)[] attributes)
        {
            var n = new Proto();
            foreach (string i in inputs) n.String(1, i);
            n.String(2, output);
            n.String(3, op + "_" + output);
            n.String(4, op);
            foreach ((string name, long value) in attributes)
            {
                var a = new Proto();
                a.String(1, name);
                a.Varint(3, (ulong)value);
                a.Varint(20, 2); // INT
                n.Message(5, a);
            }
            return n;
        }

        private static Proto ValueInfo(string name, int width)
        {
            var batch = new Proto();
            batch.String(2, "N");
            var features = new Proto();
            features.Varint(1, (ulong)width);
            var shape = new Proto();
            shape.Message(1, batch);
            shape.Message(1, features);
            var tensor = new Proto();
            tensor.Varint(1, 1); // FLOAT
            tensor.Message(2, shape);
            var type = new Proto();
            type.Message(1, tensor);
            var info = new Proto();
            info.String(1, name);
            info.Message(2, type);
            return info;
        }

        /// <summary>Protobuf wire format: varints (type 0) and length-delimited fields (type 2).</summary>
        private sealed class Proto
        {
            private readonly List<byte> _bytes = new();

            public void Varint(int field, ulong value)
            {
                Key(field, 0);
                Raw(value);
            }

            public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

            public void Message(int field, Proto message) => Bytes(field, message.ToArray());

            public void Bytes(int field, byte[] value)
            {
                Key(field, 2);
                Raw((ulong)value.Length);
                _bytes.AddRange(value);
            }

            public byte[] ToArray() => _bytes.ToArray();

            private void Key(int field, int wireType) => Raw((ulong)(field << 3 | wireType));

            private void Raw(ulong value)
            {
                do
                {
                    byte b = (byte)(value & 0x7F);
                    value >>= 7;
                    _bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
                }
                while (value != 0);
            }
        }
    }
}
