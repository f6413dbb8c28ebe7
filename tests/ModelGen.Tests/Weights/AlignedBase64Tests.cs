using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace ModelGen.Tests.Weights
{
    /// <summary>
    /// <see cref="Aligned.FromBase64"/>, which decodes the embedded weights of generated models with more than 1,024 of them:
    /// bit-exact values (NaN payloads, -0, subnormals) on a 64-byte boundary, and an exception for text of the wrong size.
    /// </summary>
    public class AlignedBase64Tests
    {
        private static float[] Values(int count)
        {
            var random = new Random(7);
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next() << 1));
            values[0] = -0f;
            values[1] = float.Epsilon;
            values[2] = BitConverter.Int32BitsToSingle(0x7FC01234);
            return values;
        }

        // Little-endian bytes written one by one, not through the code under test's reinterpretation.
        private static string Encode(float[] values, bool lineBreaks)
        {
            var bytes = new byte[4 * values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                int bits = BitConverter.SingleToInt32Bits(values[i]);
                for (int b = 0; b < 4; b++) bytes[4 * i + b] = (byte)(bits >> (8 * b));
            }
            return Convert.ToBase64String(bytes, lineBreaks ? Base64FormattingOptions.InsertLineBreaks : Base64FormattingOptions.None);
        }

        [Theory]
        [InlineData(3, false)]
        [InlineData(1025, true)]
        [InlineData(109386, true)]
        public void DecodesEveryBitOnAnAlignedRun(int count, bool lineBreaks)
        {
            float[] values = Values(count);
            string text = Encode(values, lineBreaks) + (lineBreaks ? "\n        " : "");
            float[] buffer = Aligned.FromBase64(text, count);
            Span<float> run = Aligned.Slice(buffer, count);
            // The buffer is pinned (pinned object heap), so the address of its run stays where it is.
            Assert.Equal(0, (long)Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(run)) % Aligned.Bytes);
            for (int i = 0; i < count; i++) Assert.Equal(BitConverter.SingleToInt32Bits(values[i]), BitConverter.SingleToInt32Bits(run[i]));
        }

        [Theory]
        [InlineData("AAAAAA==", 2)]      // 4 bytes for 2 floats
        [InlineData("AAAAAAAAAAA=", 1)]  // 8 bytes for 1 float
        [InlineData("AAAA*AAA", 1)]      // not base64
        [InlineData("", 1)]
        public void TextOfTheWrongSizeOrNotBase64IsInvalidData(string text, int count)
        {
            Assert.Throws<InvalidDataException>(() => Aligned.FromBase64(text, count));
        }
    }
}
