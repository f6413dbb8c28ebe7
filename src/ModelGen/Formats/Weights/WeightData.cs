// Compiled into both the runtime and the generator (linked, like everything under Formats/).
using System;
using System.Collections.Generic;

namespace ModelGen.Formats.Weights
{
    /// <summary>
    /// A decoded weights file: its format, every value in file order (finite, checked), and, for safetensors, its tensors.
    /// What the values mean (which model they fit) is the caller's question.
    /// </summary>
    internal sealed class WeightData
    {
        /// <summary>Creates the decoded file.</summary>
        public WeightData(string format, float[] values, TensorEntry[]? tensors = null, Mgw1Header? header = null)
        {
            Format = format;
            Values = values;
            Tensors = tensors ?? Array.Empty<TensorEntry>();
            Header = header;
        }

        /// <summary>One of <see cref="WeightFormats.Mgw1"/>, <see cref="WeightFormats.Safetensors"/>, <see cref="WeightFormats.RawFloat32"/>.</summary>
        public string Format { get; }

        /// <summary>Every value in file order (for safetensors, all tensors back to back in data order).</summary>
        public float[] Values { get; }

        /// <summary>The tensors of a safetensors file in data order, each with its start in <see cref="Values"/>; empty for the other formats.</summary>
        public IReadOnlyList<TensorEntry> Tensors { get; }

        /// <summary>The MGW1 header (model sizes), or null for the other formats.</summary>
        public Mgw1Header? Header { get; }
    }

    /// <summary>The sizes an MGW1 header records.</summary>
    internal sealed class Mgw1Header
    {
        /// <summary>Creates a header.</summary>
        public Mgw1Header(uint version, uint parameterCount, uint inputSize, uint outputSize, uint checksum)
        {
            Version = version;
            ParameterCount = parameterCount;
            InputSize = inputSize;
            OutputSize = outputSize;
            Checksum = checksum;
        }

        /// <summary>The format version (1).</summary>
        public uint Version { get; }

        /// <summary>Floats after the header.</summary>
        public uint ParameterCount { get; }

        /// <summary>The saving model's input size.</summary>
        public uint InputSize { get; }

        /// <summary>The saving model's output size.</summary>
        public uint OutputSize { get; }

        /// <summary>CRC-32 of the data bytes.</summary>
        public uint Checksum { get; }
    }
}
