using System;
using System.Collections.Generic;
using ModelGen.Formats;
using ModelGen.Formats.Hdf5;
using ModelGen.Formats.Keras;
using ModelGen.Formats.Onnx;
using ModelGen.Formats.Zip;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>One layer of a Keras file as the pipeline carries it: its name, class (when the file tells) and tensors.</summary>
    /// <remarks>Strings and <see cref="EquatableArray{T}"/> only: equatable and safe to cache. The tensors' values are in <see cref="WeightsFile.Values"/>.</remarks>
    internal sealed record SavedKerasLayer(string Name, string? ClassName, EquatableArray<TensorEntry> Tensors);

    /// <summary>What a Keras file adds to its <see cref="WeightsFile"/>: the model config, the writer, and the layers.</summary>
    /// <remarks>Strings, a flag and <see cref="EquatableArray{T}"/> only: equatable and safe to cache.</remarks>
    internal sealed record SavedKerasModel(string? ConfigJson, string? KerasVersion, EquatableArray<SavedKerasLayer> Layers, bool UnorderedClassLayout);

    /// <summary>What an ONNX file adds to its <see cref="WeightsFile"/>: the input size, the layers in declared form and the writer.</summary>
    /// <remarks>Numbers, strings, specs and <see cref="EquatableArray{T}"/> only: equatable and safe to cache.</remarks>
    /// <param name="InputSize">Floats per sample in.</param>
    /// <param name="Layers">The layers (empty when the file is refused).</param>
    /// <param name="Description">IR version, opset and writer, for the generated docs.</param>
    /// <param name="BatchNormalization">True when the file was refused for a BatchNormalization layer (MGEN066).</param>
    /// <param name="State">The batch normalization layers' vectors (the model's non-trainable state), in layer order.</param>
    internal sealed record SavedOnnxModel(int InputSize, EquatableArray<DeclaredLayer> Layers, string Description, bool BatchNormalization, EquatableArray<float> State = default);

    /// <summary>
    /// Decodes saved model files (<c>[Model("m.keras")]</c>, and Keras weights files named by <c>Weights</c>), recognized by
    /// content: a zip is a <c>.keras</c> archive, an HDF5 file a Keras <c>.h5</c>; anything else named <c>.onnx</c> / <c>.keras</c>
    /// / <c>.h5</c> goes to the ONNX dispatch point below.
    /// </summary>
    internal static class SavedModelReader
    {
        /// <summary>The <see cref="WeightsFile.Format"/> of a file handed to the ONNX dispatch point.</summary>
        public const string OnnxFormat = "ONNX";

        /// <summary>True when <see cref="Decode"/> takes the file: its content is a zip or HDF5, or its name says it is a saved model.</summary>
        public static bool Handles(string source, byte[] bytes) =>
            ZipReader.HasSignature(bytes) || Hdf5File.HasSignature(bytes) ||
            source.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".keras", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".h5", StringComparison.OrdinalIgnoreCase);

        /// <summary>Decodes a saved model file into a <see cref="WeightsFile"/> carrying <see cref="WeightsFile.Keras"/>.</summary>
        public static WeightsFile Decode(string source, byte[] bytes, long maxValues)
        {
            if (!ZipReader.HasSignature(bytes) && !Hdf5File.HasSignature(bytes))
            {
                // ===== ONNX dispatch point =====
                // Neither a zip nor HDF5: by the rules of [Model(path)] the file is ONNX.
                return DecodeOnnx(source, bytes, maxValues);
            }
            FormatResult<KerasModelFile> result = KerasFileReader.Read(bytes);
            if (result.Value is not { } file) return new WeightsFile(source, "", new EquatableArray<float>(Array.Empty<float>()), result.Error);

            long total = 0;
            foreach (KerasLayerWeights layer in file.Layers)
            {
                foreach (KerasTensor tensor in layer.Weights) total += tensor.Values.Length;
            }
            if (total > maxValues)
            {
                return new WeightsFile(source, file.Format, new EquatableArray<float>(Array.Empty<float>()), $"it holds {total} weights, more than a model with compiled-in weights can take ({maxValues}); load it at run time with WeightFile.LoadKeras instead");
            }
            var values = new float[total];
            var layers = new SavedKerasLayer[file.Layers.Count];
            int at = 0;
            for (int i = 0; i < layers.Length; i++)
            {
                KerasLayerWeights layer = file.Layers[i];
                var tensors = new TensorEntry[layer.Weights.Count];
                for (int t = 0; t < tensors.Length; t++)
                {
                    KerasTensor tensor = layer.Weights[t];
                    tensors[t] = new TensorEntry(tensor.Name, tensor.Shape, at);
                    Array.Copy(tensor.Values, 0, values, at, tensor.Values.Length);
                    at += tensor.Values.Length;
                }
                layers[i] = new SavedKerasLayer(layer.Name, layer.ClassName, new EquatableArray<TensorEntry>(tensors));
            }
            return new WeightsFile(source, file.Format, new EquatableArray<float>(values), null)
            {
                Keras = new SavedKerasModel(file.ConfigJson, file.KerasVersion, new EquatableArray<SavedKerasLayer>(layers), file.UnorderedClassLayout),
            };
        }

        /// <summary>
        /// Reads an ONNX file with the shared reader (src/ModelGen/Formats/Onnx) and maps it to declared layers; a refused
        /// file keeps the reader's message in <see cref="WeightsFile.Error"/> (which names the operator and node).
        /// </summary>
        private static WeightsFile DecodeOnnx(string source, byte[] bytes, long maxValues)
        {
            var empty = new EquatableArray<float>(Array.Empty<float>());
            FormatResult<ImportedNetwork> result = OnnxReader.Read(bytes);
            if (result.Value is not { } network) return new WeightsFile(source, OnnxFormat, empty, result.Error);
            DeclaredLayer[]? declared = OnnxSpecMapper.Map(network, out float[] weights, out float[] state, out string? error, out bool batchNormalization);
            if (declared is null)
            {
                return new WeightsFile(source, OnnxFormat, empty, error)
                {
                    Onnx = new SavedOnnxModel(network.InputSize, default, network.Description, batchNormalization),
                };
            }
            if (weights.Length > maxValues)
            {
                return new WeightsFile(source, OnnxFormat, empty, $"it holds {weights.Length} weights, more than a model with compiled-in weights can take ({maxValues}); load it at run time with OnnxWeights.Load instead");
            }
            return new WeightsFile(source, OnnxFormat, new EquatableArray<float>(weights), null)
            {
                Onnx = new SavedOnnxModel(network.InputSize, new EquatableArray<DeclaredLayer>(declared), network.Description, false, new EquatableArray<float>(state)),
            };
        }

        /// <summary>The <see cref="KerasModelFile"/> again, from what the pipeline carried.</summary>
        public static KerasModelFile ToKerasFile(WeightsFile file)
        {
            SavedKerasModel keras = file.Keras!;
            float[] values = file.Values.AsSpan().ToArray();
            var layers = new List<KerasLayerWeights>();
            foreach (SavedKerasLayer layer in keras.Layers)
            {
                var tensors = new List<KerasTensor>();
                foreach (TensorEntry entry in layer.Tensors)
                {
                    long count = 1;
                    foreach (int d in entry.Shape) count *= d;
                    var data = new float[count];
                    Array.Copy(values, entry.Start, data, 0, count);
                    tensors.Add(new KerasTensor(entry.Name, entry.Shape, data));
                }
                layers.Add(new KerasLayerWeights(layer.Name, layer.ClassName, tensors));
            }
            return new KerasModelFile(file.Format, keras.ConfigJson, keras.KerasVersion, null, layers) { UnorderedClassLayout = keras.UnorderedClassLayout };
        }
    }
}
