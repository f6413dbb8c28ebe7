using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ModelGen.Generator.Tests.Infrastructure
{
    /// <summary>An AdditionalFile held in memory.</summary>
    internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

        /// <inheritdoc/>
        public override string Path { get; } = path;

        /// <inheritdoc/>
        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    /// <summary>Analyzer config options with only the global properties given (what MSBuild passes as <c>build_property.*</c>).</summary>
    internal sealed class GlobalOptionsProvider(IReadOnlyDictionary<string, string> globals) : AnalyzerConfigOptionsProvider
    {
        private static readonly AnalyzerConfigOptions s_empty = new Options(new Dictionary<string, string>());

        /// <inheritdoc/>
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(globals);

        /// <inheritdoc/>
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => s_empty;

        /// <inheritdoc/>
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => s_empty;

        private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value)
            {
                bool found = values.TryGetValue(key, out string? v);
                value = v ?? "";
                return found;
            }
        }
    }

    /// <summary>AdditionalFiles as a project would pass them: JSON declarations, and weights encoded as ModelGen's build targets do.</summary>
    internal static class AdditionalFiles
    {
        /// <summary>The project directory the harness reports (<c>build_property.ProjectDir</c>).</summary>
        public const string ProjectDirectory = "/proj/";

        /// <summary>A JSON file at <paramref name="relativePath"/> under the project directory.</summary>
        public static AdditionalText Json(string relativePath, string json) => new InMemoryAdditionalText(ProjectDirectory + relativePath, json);

        /// <summary>
        /// The text ModelGen's build targets write for the weights file at <paramref name="relativePath"/> (under the project
        /// directory) holding <paramref name="bytes"/>: the source path, then base64 with line breaks.
        /// </summary>
        public static AdditionalText Weights(string relativePath, byte[] bytes)
        {
            string source = ProjectDirectory + relativePath;
            string text = "ModelGen weights 1: " + source + "\n" + Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks) + "\n";
            return new InMemoryAdditionalText("/proj/obj/modelgen/" + System.IO.Path.GetFileName(relativePath) + ".0badf00d.modelgen-weights", text);
        }

        /// <summary>Raw little-endian float32 bytes of <paramref name="values"/>.</summary>
        public static byte[] Raw(params float[] values)
        {
            var bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), values[i]);
            return bytes;
        }

        /// <summary>A safetensors file with one F32 tensor per entry of <paramref name="tensors"/>, in that order.</summary>
        public static byte[] Safetensors(params (string Name, int[] Shape, float[] Values)[] tensors)
        {
            var header = new StringBuilder("{");
            long offset = 0;
            var data = new List<byte>();
            foreach ((string name, int[] shape, float[] values) in tensors)
            {
                if (header.Length > 1) header.Append(',');
                header.Append($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + 4L * values.Length}]}}");
                offset += 4L * values.Length;
                data.AddRange(Raw(values));
            }
            header.Append(",\"__metadata__\":{\"format\":\"pt\"}}");
            while ((header.Length + 8) % 8 != 0) header.Append(' ');
            byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToString());
            var file = new List<byte>(BitConverter.GetBytes((ulong)headerBytes.Length));
            file.AddRange(headerBytes);
            file.AddRange(data);
            return file.ToArray();
        }

        /// <summary>ModelGen's MGW1 format of <paramref name="values"/>, laid out as the runtime's <c>WeightFile.Save</c> writes it.</summary>
        public static byte[] Mgw(int inputs, int outputs, params float[] values)
        {
            byte[] data = Raw(values);
            var file = new List<byte>(Encoding.ASCII.GetBytes("MGW1"));
            foreach (uint field in new[] { 1u, (uint)values.Length, (uint)inputs, (uint)outputs, Crc32(data) }) file.AddRange(BitConverter.GetBytes(field));
            file.AddRange(data);
            return file.ToArray();
        }

        /// <summary>CRC-32 (IEEE, reflected), bit by bit: independent of the table-driven versions in the runtime and generator.</summary>
        public static uint Crc32(byte[] data)
        {
            uint crc = 0xFFFFFFFF;
            foreach (byte b in data)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
            return ~crc;
        }

        /// <summary>The options a project passes: its directory.</summary>
        public static GlobalOptionsProvider Options() => new(new Dictionary<string, string> { ["build_property.ProjectDir"] = ProjectDirectory });
    }
}
