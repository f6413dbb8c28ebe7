using System;
using System.Threading;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Formats;
using ModelGen.Formats.Weights;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// One weights file as the generator sees it: the path of the original binary file, its format, and its values (or why it
    /// could not be read).
    /// </summary>
    /// <remarks>Holds only strings and <see cref="EquatableArray{T}"/>s, so it is equatable and safe to cache.</remarks>
    /// <param name="SourcePath">The full path of the binary file.</param>
    /// <param name="Format">One of the <see cref="WeightFormats"/> names (empty when unreadable).</param>
    /// <param name="Values">Every value in file order (all tensors back to back, in data order, for safetensors).</param>
    /// <param name="Error">Why the file cannot be used, or null.</param>
    internal sealed record WeightsFile(string SourcePath, string Format, EquatableArray<float> Values, string? Error)
    {
        /// <summary>The tensors of a safetensors file, in data order, each with its start in <see cref="Values"/>; empty for the other formats.</summary>
        public EquatableArray<TensorEntry> Tensors { get; init; }
    }

    /// <summary>
    /// Reads the text form of a weights file that ModelGen's build targets write under <c>obj/</c> (a first line
    /// <c>ModelGen weights 1: {full path}</c>, then the file's bytes in base64) and decodes it with the shared readers in
    /// <c>src/ModelGen/Formats/Weights</c> (<see cref="WeightFormats.Decode"/>), the same code the runtime's
    /// <c>WeightFile</c> uses.
    /// </summary>
    internal static class WeightsReader
    {
        /// <summary>Extension of the text files the build targets write.</summary>
        public const string TextExtension = ".modelgen-weights";

        private const string HeaderPrefix = "ModelGen weights 1: ";

        /// <summary>Largest number of values a weights file may hold (the limit of weights compiled into a model).</summary>
        private const long MaxValues = NetworkBuilder.MaxEmbeddedParameters;

        /// <summary>Largest base64 text read: the values, up to 1 MB of safetensors header, and the first line.</summary>
        private const long MaxTextLength = (4 * MaxValues + (1 << 20)) / 3 * 4 + 8192;

        /// <summary>Reads <paramref name="text"/>, the content of an AdditionalFile at <paramref name="path"/>.</summary>
        public static WeightsFile Read(string path, SourceText text, CancellationToken cancellationToken)
        {
            // Refused before the text is copied or decoded: a weights file too large to compile in costs nothing more.
            if (text.Length > MaxTextLength)
            {
                return Failed(path, $"it is {text.Length} characters of base64, more than weights compiled into a model can take ({MaxValues} float32 values); load it at run time with WeightFile instead");
            }
            string content = text.ToString();
            int newline = content.IndexOf('\n');
            if (!content.StartsWith(HeaderPrefix, StringComparison.Ordinal) || newline < 0)
            {
                return Failed(path, "it is not a weights text written by ModelGen's build targets (the first line must be 'ModelGen weights 1: <path>')");
            }
            string source = content.Substring(HeaderPrefix.Length, newline - HeaderPrefix.Length).TrimEnd('\r');
            cancellationToken.ThrowIfCancellationRequested();
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(content.Substring(newline + 1));
            }
            catch (FormatException)
            {
                return Failed(source, "its base64 text is corrupt; rebuild so that the build targets write it again");
            }
            cancellationToken.ThrowIfCancellationRequested();
            return Decode(source, bytes, cancellationToken);
        }

        /// <summary>Decodes the bytes of a weights file, detecting its format.</summary>
        public static WeightsFile Decode(string source, byte[] bytes, CancellationToken cancellationToken)
        {
            FormatResult<WeightData> result = WeightFormats.Decode(bytes, MaxValues, cancellationToken);
            if (result.Value is not { } data) return Failed(source, result.Error!);
            var tensors = new TensorEntry[data.Tensors.Count];
            for (int i = 0; i < tensors.Length; i++) tensors[i] = data.Tensors[i];
            return new WeightsFile(source, data.Format, new EquatableArray<float>(data.Values), null) { Tensors = new EquatableArray<TensorEntry>(tensors) };
        }

        private static WeightsFile Failed(string source, string error) => new(source, "", new EquatableArray<float>(Array.Empty<float>()), error);
    }
}
