// Compiled into both the runtime and the generator (linked, like everything under Formats/).
using System.Collections.Generic;
using System.Threading;
using ModelGen.Formats.Json;

namespace ModelGen.Formats.Weights
{
    /// <summary>
    /// safetensors: a little-endian uint64 header length, a JSON header naming each tensor's dtype, shape and data offsets
    /// (plus an optional <c>__metadata__</c>), then the data. ModelGen reads F32 tensors packed back to back.
    /// </summary>
    internal static class SafetensorsFormat
    {
        /// <summary>True when <paramref name="bytes"/> has a plausible header length followed by a JSON object.</summary>
        public static bool LooksLike(byte[] bytes)
        {
            if (bytes.Length < 10) return false;
            ulong headerLength = WeightFormats.ReadUInt64(bytes, 0);
            return headerLength >= 2 && headerLength <= (ulong)(bytes.Length - 8) && bytes[8] == (byte)'{';
        }

        /// <summary>Decodes a safetensors file: every F32 tensor, in data order, with its name and shape.</summary>
        public static FormatResult<WeightData> Read(byte[] bytes, long maxValues, CancellationToken cancellationToken)
        {
            if (bytes.Length < 8) return FormatResult<WeightData>.Fail("it is shorter than the 8-byte safetensors header length");
            ulong declared = WeightFormats.ReadUInt64(bytes, 0);
            if (declared > (ulong)(bytes.Length - 8)) return FormatResult<WeightData>.Fail($"its safetensors header claims {declared} bytes, but only {bytes.Length - 8} follow the length");
            int headerLength = (int)declared;
            string header = System.Text.Encoding.UTF8.GetString(bytes, 8, headerLength);
            if (!TryParseHeader(header, out List<Tensor> tensors, out string? problem, cancellationToken))
            {
                return FormatResult<WeightData>.Fail("its safetensors header is not valid: " + problem);
            }
            tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long total = 0;
            foreach (Tensor tensor in tensors)
            {
                if (tensor.DType != "F32") return FormatResult<WeightData>.Fail($"tensor '{tensor.Name}' has dtype {tensor.DType}; only F32 is supported");
                if (tensor.Begin < 0 || tensor.End < tensor.Begin || tensor.End - tensor.Begin != tensor.Elements * 4) return FormatResult<WeightData>.Fail($"tensor '{tensor.Name}' has data offsets [{tensor.Begin}, {tensor.End}) that do not fit its shape");
                if (tensor.Begin != total) return FormatResult<WeightData>.Fail($"tensor '{tensor.Name}' starts at byte {tensor.Begin}; the tensors must be packed back to back");
                total = tensor.End;
            }
            long dataStart = 8 + (long)headerLength;
            if (dataStart + total != bytes.Length) return FormatResult<WeightData>.Fail($"it has {bytes.Length - dataStart} data bytes, but its header describes {total}");
            FormatResult<float[]> values = WeightFormats.ReadFloats(bytes, (int)dataStart, total / 4, maxValues);
            if (values.Value is null) return FormatResult<WeightData>.Fail(values.Error!);
            var entries = new TensorEntry[tensors.Count];
            for (int t = 0; t < entries.Length; t++) entries[t] = new TensorEntry(tensors[t].Name, tensors[t].Shape, (int)(tensors[t].Begin / 4));
            return FormatResult<WeightData>.Ok(new WeightData(WeightFormats.Safetensors, values.Value, entries));
        }

        /// <summary>One header entry.</summary>
        private sealed class Tensor
        {
            public Tensor(string name, string dtype, long begin, long end, long elements, int[] shape)
            {
                Name = name;
                DType = dtype;
                Begin = begin;
                End = end;
                Elements = elements;
                Shape = shape;
            }

            public string Name { get; }
            public string DType { get; }
            public long Begin { get; }
            public long End { get; }
            public long Elements { get; }
            public int[] Shape { get; }
        }

        /// <summary>
        /// Parses the JSON header; false with <paramref name="problem"/> set when it is not valid JSON or a tensor entry lacks
        /// <c>dtype</c>, <c>shape</c> or <c>data_offsets</c>. The <c>__metadata__</c> entry is skipped.
        /// </summary>
        private static bool TryParseHeader(string header, out List<Tensor> tensors, out string? problem, CancellationToken cancellationToken)
        {
            tensors = new List<Tensor>();
            JsonNode? root = JsonReader.Parse(header, cancellationToken, out JsonParseError error);
            if (root is null)
            {
                problem = $"{error.Message} (at byte {error.Position} of the header)";
                return false;
            }
            if (!root.IsObject)
            {
                problem = "it is not a JSON object";
                return false;
            }
            foreach (JsonProperty entry in root.Properties)
            {
                if (entry.Name == "__metadata__") continue;
                JsonNode tensor = entry.Value;
                JsonNode? dtype = tensor["dtype"], shape = tensor["shape"], offsets = tensor["data_offsets"];
                if (dtype?.StringValue is not string type || shape is not { IsArray: true } || offsets is not { IsArray: true, Items.Length: 2 })
                {
                    problem = $"tensor '{entry.Name}' needs dtype, shape and data_offsets";
                    return false;
                }
                long elements = 1;
                var dimensions = new int[shape.Items.Length];
                for (int d = 0; d < dimensions.Length; d++)
                {
                    if (!shape.Items[d].TryGetInteger(out long size) || size < 0 || size > int.MaxValue || (elements *= size) > int.MaxValue)
                    {
                        problem = $"tensor '{entry.Name}' has a shape that is not a list of small non-negative integers";
                        return false;
                    }
                    dimensions[d] = (int)size;
                }
                if (!offsets.Items[0].TryGetInteger(out long begin) || !offsets.Items[1].TryGetInteger(out long end))
                {
                    problem = $"tensor '{entry.Name}' has data_offsets that are not integers";
                    return false;
                }
                tensors.Add(new Tensor(entry.Name, type, begin, end, elements, dimensions));
            }
            problem = null;
            return true;
        }
    }
}
