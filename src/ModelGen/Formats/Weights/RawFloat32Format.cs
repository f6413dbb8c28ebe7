// Compiled into both the runtime and the generator (linked, like everything under Formats/).
namespace ModelGen.Formats.Weights
{
    /// <summary>Raw little-endian float32 values in parameter order: a TensorFlow.js <c>weights.bin</c>, or its shards joined in order.</summary>
    internal static class RawFloat32Format
    {
        /// <summary>Decodes <paramref name="bytes"/> (the whole file, or the shards joined).</summary>
        public static FormatResult<WeightData> Read(byte[] bytes, long maxValues)
        {
            if (bytes.Length % 4 != 0) return FormatResult<WeightData>.Fail($"it has {bytes.Length} bytes, which is not a whole number of float32 values");
            FormatResult<float[]> values = WeightFormats.ReadFloats(bytes, 0, bytes.Length / 4, maxValues);
            return values.Value is null ? FormatResult<WeightData>.Fail(values.Error!) : FormatResult<WeightData>.Ok(new WeightData(WeightFormats.RawFloat32, values.Value));
        }
    }
}
