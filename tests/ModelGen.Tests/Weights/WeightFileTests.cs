using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests.Weights
{
    /// <summary>Weight files round-trip, and every kind of corruption throws InvalidDataException with the parameters unchanged.</summary>
    public sealed class WeightFileTests : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("modelgen-weights-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private string PathOf(string name) => Path.Combine(_dir, name);

        [Fact]
        public void Crc32MatchesTheStandardCheckValue()
        {
            byte[] check = Encoding.ASCII.GetBytes("123456789");
            Assert.Equal(0xCBF43926u, ModelGen.Formats.Weights.Crc32.Compute(check, 0, check.Length));
        }

        [Fact]
        public void RoundTripsInEveryFormat()
        {
            var source = new Mnist(seed: 1);
            WeightFile.Save(source, PathOf("m.mgw"));
            WeightFile.SaveSafetensors(source, PathOf("m.safetensors"));
            WeightFile.SaveRaw(source, PathOf("m.bin"));
            var a = new Mnist(seed: 2);
            WeightFile.Load(a, PathOf("m.mgw"));
            Assert.Equal(source.Parameters.ToArray(), a.Parameters.ToArray());
            var b = new Mnist(seed: 3);
            WeightFile.LoadSafetensors(b, PathOf("m.safetensors"));
            Assert.Equal(source.Parameters.ToArray(), b.Parameters.ToArray());
            var c = new Mnist(seed: 4);
            WeightFile.LoadRaw(c, PathOf("m.bin"));
            Assert.Equal(source.Parameters.ToArray(), c.Parameters.ToArray());
        }

        [Fact]
        public void RawShardsJoinInOrderEvenAcrossAValue()
        {
            var source = new IrisLike(seed: 1);
            WeightFile.SaveRaw(source, PathOf("whole.bin"));
            byte[] bytes = File.ReadAllBytes(PathOf("whole.bin"));
            // Cut at byte 101 (inside a float) and at byte 250.
            File.WriteAllBytes(PathOf("s1.bin"), bytes[..101]);
            File.WriteAllBytes(PathOf("s2.bin"), bytes[101..250]);
            File.WriteAllBytes(PathOf("s3.bin"), bytes[250..]);
            var model = new IrisLike(seed: 2);
            WeightFile.LoadRaw(model, PathOf("s1.bin"), PathOf("s2.bin"), PathOf("s3.bin"));
            Assert.Equal(source.Parameters.ToArray(), model.Parameters.ToArray());

            // Missing or extra bytes: an error naming the sizes, and the parameters stay as they were.
            var untouched = new IrisLike(seed: 3);
            float[] before = untouched.Parameters.ToArray();
            var missing = Assert.Throws<InvalidDataException>(() => WeightFile.LoadRaw(untouched, PathOf("s1.bin"), PathOf("s3.bin")));
            Assert.Contains($"needs {4 * IrisLike.ParameterCount}", missing.Message);
            var extra = Assert.Throws<InvalidDataException>(() => WeightFile.LoadRaw(untouched, PathOf("s1.bin"), PathOf("s2.bin"), PathOf("s3.bin"), PathOf("s1.bin")));
            Assert.Contains("more than", extra.Message);
            Assert.Equal(before, untouched.Parameters.ToArray());
            Assert.Throws<ArgumentException>(() => WeightFile.LoadRaw(untouched, System.Array.Empty<string>()));
        }

        [Fact]
        public void SafetensorsWithOneTensorPerKernelAndBiasLoadInDataOrder()
        {
            // As a Keras export: dense/kernel [4, 16], dense/bias [16], dense_1/kernel [16, 3], dense_1/bias [3]; header keys
            // deliberately out of order, so the data offsets decide.
            var expected = new IrisLike(seed: 9).Parameters.ToArray();
            int[] sizes = { 64, 16, 48, 3 };
            string[] names = { "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias" };
            string[] shapes = { "[4,16]", "[16]", "[16,3]", "[3]" };
            var entries = new string[4];
            for (int t = 0, at = 0; t < 4; at += sizes[t] * 4, t++) entries[t] = $"\"{names[t]}\":{{\"dtype\":\"F32\",\"shape\":{shapes[t]},\"data_offsets\":[{at},{at + sizes[t] * 4}]}}";
            string json = "{" + string.Join(",", entries[3], entries[1], entries[0], entries[2]) + "}";
            var data = new byte[expected.Length * 4];
            for (int i = 0; i < expected.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), expected[i]);
            File.WriteAllBytes(PathOf("keras.safetensors"), Safetensors(json, data));
            var model = new IrisLike(seed: 1);
            WeightFile.LoadSafetensors(model, PathOf("keras.safetensors"));
            Assert.Equal(expected, model.Parameters.ToArray());
        }

        private static byte[] Safetensors(string json, byte[] data)
        {
            byte[] header = Encoding.UTF8.GetBytes(json);
            var file = new byte[8 + header.Length + data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
            header.CopyTo(file, 8);
            data.CopyTo(file, 8 + header.Length);
            return file;
        }

        [Fact]
        public void FormatErrorsAreTheSharedReadersClauses()
        {
            // The runtime and the generator decode with the same readers (Formats/Weights): the generator's MGEN037 tests
            // assert these clauses too.
            var model = new IrisLike(seed: 1);
            File.WriteAllBytes(PathOf("f16.safetensors"), Safetensors("{\"p\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]));
            var f16 = Assert.Throws<InvalidDataException>(() => WeightFile.LoadSafetensors(model, PathOf("f16.safetensors")));
            Assert.Equal("The safetensors file cannot be read: tensor 'p' has dtype F16; only F32 is supported", f16.Message);

            WeightFile.Save(model, PathOf("damaged.mgw"));
            byte[] mgw = File.ReadAllBytes(PathOf("damaged.mgw"));
            mgw[^1] ^= 0x40;
            File.WriteAllBytes(PathOf("damaged.mgw"), mgw);
            var damaged = Assert.Throws<InvalidDataException>(() => WeightFile.Load(model, PathOf("damaged.mgw")));
            Assert.Equal("The weight file cannot be read: its MGW1 checksum does not match its data (the file is damaged)", damaged.Message);
        }

        public static TheoryData<string> Corruptions() => new()
        {
            "truncated", "magic", "version", "count", "checksum", "extra", "nan",
            "st-truncated", "st-huge-header", "st-bad-json", "st-dtype", "st-count", "raw-short", "raw-long",
        };

        [Theory]
        [MemberData(nameof(Corruptions))]
        public void CorruptFilesThrowAndLeaveParametersUnchanged(string kind)
        {
            var source = new IrisLike(seed: 1);
            WeightFile.Save(source, PathOf("good.mgw"));
            WeightFile.SaveSafetensors(source, PathOf("good.safetensors"));
            byte[] mgw = File.ReadAllBytes(PathOf("good.mgw"));
            byte[] st = File.ReadAllBytes(PathOf("good.safetensors"));
            string bad = PathOf("bad");
            Action<IModel> load = m => WeightFile.Load(m, bad);
            switch (kind)
            {
                case "truncated": File.WriteAllBytes(bad, mgw.AsSpan(0, mgw.Length - 3).ToArray()); break;
                case "magic": mgw[0] = (byte)'X'; File.WriteAllBytes(bad, mgw); break;
                case "version": mgw[4] = 9; File.WriteAllBytes(bad, mgw); break;
                case "count": BinaryPrimitives.WriteUInt32LittleEndian(mgw.AsSpan(8), 0x7FFFFFFF); File.WriteAllBytes(bad, mgw); break;
                case "checksum": mgw[^1] ^= 0x40; File.WriteAllBytes(bad, mgw); break;
                case "extra": File.WriteAllBytes(bad, [.. mgw, 1]); break;
                case "nan":
                    BinaryPrimitives.WriteSingleLittleEndian(mgw.AsSpan(24), float.NaN);
                    BinaryPrimitives.WriteUInt32LittleEndian(mgw.AsSpan(20), ModelGen.Formats.Weights.Crc32.Compute(mgw, 24, mgw.Length - 24));
                    File.WriteAllBytes(bad, mgw);
                    break;
                case "st-truncated": File.WriteAllBytes(bad, st.AsSpan(0, st.Length - 4).ToArray()); load = m => WeightFile.LoadSafetensors(m, bad); break;
                case "st-huge-header": BinaryPrimitives.WriteUInt64LittleEndian(st, ulong.MaxValue); File.WriteAllBytes(bad, st); load = m => WeightFile.LoadSafetensors(m, bad); break;
                case "st-bad-json": st[8] = (byte)'['; File.WriteAllBytes(bad, st); load = m => WeightFile.LoadSafetensors(m, bad); break;
                case "st-dtype": File.WriteAllBytes(bad, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(st).Replace("\"F32\"", "\"F16\""))); load = m => WeightFile.LoadSafetensors(m, bad); break;
                case "st-count": File.WriteAllBytes(bad, Safetensors("{\"p\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8])); load = m => WeightFile.LoadSafetensors(m, bad); break;
                case "raw-short": File.WriteAllBytes(bad, new byte[IrisLike.ParameterCount * 4 - 4]); load = m => WeightFile.LoadRaw(m, bad); break;
                case "raw-long": File.WriteAllBytes(bad, new byte[IrisLike.ParameterCount * 4 + 4]); load = m => WeightFile.LoadRaw(m, bad); break;
            }
            var model = new IrisLike(seed: 2);
            float[] before = model.Parameters.ToArray();
            var ex = Assert.Throws<InvalidDataException>(() => load(model));
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            Assert.Equal(before, model.Parameters.ToArray());
        }

        [Fact]
        public void AFileForAnotherModelIsRejectedNamingBothShapes()
        {
            WeightFile.Save(new Mnist(1), PathOf("mnist.mgw"));
            var ex = Assert.Throws<InvalidDataException>(() => WeightFile.Load(new IrisLike(1), PathOf("mnist.mgw")));
            Assert.Contains($"{Mnist.ParameterCount} parameters", ex.Message);
            Assert.Contains($"{IrisLike.ParameterCount}", ex.Message);
        }
    }
}
