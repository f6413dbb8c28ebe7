using System;
using System.Diagnostics;
using System.Linq;
using ModelGen.Formats;
using ModelGen.Formats.Onnx;
using Xunit;

namespace ModelGen.Tests.Formats.Onnx
{
    /// <summary>
    /// Corrupt, truncated and hostile ONNX bytes: the reader returns an error (or, for a harmless mutation, a network),
    /// never another exception, a hang or a read outside the input.
    /// </summary>
    public sealed class OnnxHostileInputTests
    {
        [Theory]
        [InlineData(new byte[] { 0x08 }, "truncated varint")]
        [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "varint")]
        [InlineData(new byte[] { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 }, "longer than 64 bits")]
        [InlineData(new byte[] { 0x3A, 0x7F, 0x00 }, "runs past the end")]
        [InlineData(new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, "runs past the end")]
        [InlineData(new byte[] { 0x0B }, "group")]
        [InlineData(new byte[] { 0x0E }, "wire type 6")]
        [InlineData(new byte[] { 0x00 }, "field number 0")]
        [InlineData(new byte[] { 0x08, 0x07 }, "no graph")]
        [InlineData(new byte[] { 0x4D, 0x01, 0x02 }, "truncated 4-byte")]
        [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04 }, "")]
        public void MalformedWireFormatIsAnErrorWithTheOffset(byte[] data, string expected)
        {
            FormatResult<ImportedNetwork> result = OnnxReader.Read(data);
            Assert.False(result.Succeeded);
            Assert.Contains(expected, result.Error!, StringComparison.Ordinal);
        }

        [Fact]
        public void EmptyFileIsAnError()
        {
            Assert.Equal("the file is empty", OnnxReader.Read(Array.Empty<byte>()).Error);
        }

        [Fact]
        public void PackedFloatsThatAreNotWholeFloatsAreAnError()
        {
            // ModelProto { ir_version 7, graph { initializer { float_data (packed, 3 bytes) } } }
            byte[] data = { 0x08, 0x07, 0x3A, 0x07, 0x2A, 0x05, 0x22, 0x03, 0x00, 0x00, 0x80 };
            FormatResult<ImportedNetwork> result = OnnxReader.Read(data);
            Assert.False(result.Succeeded);
            Assert.Contains("not a multiple of 4", result.Error!, StringComparison.Ordinal);
        }

        [Fact]
        public void TruncatingAFileAnywhereIsAnErrorNotACrash()
        {
            byte[] original = OnnxReaderTests.Bytes("torch_gelu_erf.onnx");
            for (int length = 0; length < original.Length; length += Math.Max(1, length / 64))
            {
                FormatResult<ImportedNetwork> result = OnnxReader.Read(original.AsSpan(0, length).ToArray());
                // A cut at a field boundary can leave a readable prefix only if it still holds the whole graph; the
                // graph is the last large field torch writes, so every cut before the end loses part of it.
                if (length < original.Length - 64) Assert.False(result.Succeeded, $"cut at {length} was read");
            }
        }

        /// <summary>
        /// Seeded mutations of real test files: flipped bits, random bytes, inserted and deleted runs, huge varints.
        /// Every result is a value or an error message; anything thrown fails the test.
        /// </summary>
        [Fact]
        public void ThousandsOfMutatedFilesNeverThrowOrHang()
        {
            string[] files =
            {
                "torch_relu_softmax_op13_dyn.onnx", "torch_gelu_erf.onnx", "onnxmltools_ir3.onnx", "torch_batchnorm_op15.onnx",
                "torch_view_op14_dyn.onnx", "gemm_alpha_beta_hardsigmoid.onnx", "skl2onnx_like.onnx",
            };
            var random = new Random(20261203);
            int read = 0, refused = 0;
            var clock = Stopwatch.StartNew();
            foreach (string file in files)
            {
                byte[] original = OnnxReaderTests.Bytes(file);
                for (int k = 0; k < 700; k++)
                {
                    byte[] mutated = Mutate(original, random);
                    FormatResult<ImportedNetwork> result;
                    try
                    {
                        result = OnnxReader.Read(mutated);
                    }
                    catch (Exception e)
                    {
                        throw new Xunit.Sdk.XunitException($"{file} mutation {k} threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                    }
                    if (result.Succeeded)
                    {
                        read++;
                        ImportedNetwork n = result.Value!;
                        Assert.True(n.InputSize > 0 && n.OutputSize > 0);
                    }
                    else
                    {
                        refused++;
                        Assert.False(string.IsNullOrWhiteSpace(result.Error));
                    }
                }
            }
            Assert.Equal(files.Length * 700, read + refused);
            Assert.True(refused > read / 10, $"only {refused} of {read + refused} mutations were refused");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "mutations took " + clock.Elapsed);
        }

        private static byte[] Mutate(byte[] original, Random random)
        {
            byte[] data = (byte[])original.Clone();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(data.Length);
                switch (random.Next(6))
                {
                    case 0:
                        data[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1:
                        data[at] = (byte)random.Next(256);
                        break;
                    case 2:
                        data = Splice(data, at, 1 + random.Next(16), Array.Empty<byte>());
                        break;
                    case 3:
                        byte[] run = new byte[1 + random.Next(12)];
                        random.NextBytes(run);
                        data = Splice(data, at, 0, run);
                        break;
                    case 4:
                        // A maximal varint: lengths and dims of 2^63 - 1.
                        data = Splice(data, at, 0, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F });
                        break;
                    default:
                        data = Splice(data, Math.Max(1, at), data.Length, Array.Empty<byte>());
                        break;
                }
                if (data.Length == 0) data = new byte[] { 0 };
            }
            return data;
        }

        // data with `remove` bytes at `at` replaced by `insert` (removal clipped to the end).
        private static byte[] Splice(byte[] data, int at, int remove, byte[] insert)
        {
            at = Math.Min(at, data.Length);
            remove = Math.Min(remove, data.Length - at);
            var result = new byte[data.Length - remove + insert.Length];
            Array.Copy(data, 0, result, 0, at);
            Array.Copy(insert, 0, result, at, insert.Length);
            Array.Copy(data, at + remove, result, at + insert.Length, data.Length - at - remove);
            return result;
        }
    }
}
