using System.Collections.Generic;
using System.Threading;

namespace ModelGen.Generator.Parsing
{
    /// <summary>Reads the JSON header of a safetensors file: each tensor's name, dtype, element count, data offsets and shape.</summary>
    internal static class SafetensorsHeader
    {
        /// <summary>
        /// Parses <paramref name="header"/>; returns false with <paramref name="problem"/> set when it is not valid JSON or a
        /// tensor entry lacks <c>dtype</c>, <c>shape</c> or <c>data_offsets</c>. The <c>__metadata__</c> entry is skipped.
        /// </summary>
        public static bool TryParse(string header, out List<(string Name, string DType, long Begin, long End, long Elements, int[] Shape)> tensors, out string? problem, CancellationToken cancellationToken)
        {
            tensors = new List<(string, string, long, long, long, int[])>();
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
                var dimensions = new List<int>(shape.Items.Length);
                foreach (JsonNode dimension in shape.Items)
                {
                    if (!dimension.TryGetInteger(out long d) || d < 0 || d > int.MaxValue || (elements = elements * d) > int.MaxValue)
                    {
                        problem = $"tensor '{entry.Name}' has a shape that is not a list of small non-negative integers";
                        return false;
                    }
                    dimensions.Add((int)d);
                }
                if (!offsets.Items[0].TryGetInteger(out long begin) || !offsets.Items[1].TryGetInteger(out long end))
                {
                    problem = $"tensor '{entry.Name}' has data_offsets that are not integers";
                    return false;
                }
                tensors.Add((entry.Name, type, begin, end, elements, dimensions.ToArray()));
            }
            problem = null;
            return true;
        }
    }
}
