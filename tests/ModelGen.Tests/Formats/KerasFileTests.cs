using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using ModelGen.Formats;
using ModelGen.Formats.Hdf5;
using ModelGen.Formats.Keras;
using ModelGen.Formats.Zip;
using ModelGen.Tests.Infrastructure;
using PureHDF;
using Xunit;

namespace ModelGen.Tests.Formats
{
    /// <summary>
    /// The zip, HDF5 and Keras readers of ModelGen.Formats against outside oracles: PureHDF 2.2.0 reads every HDF5 test file a
    /// second way; System.IO.Compression reads the zips; the weights, names and shapes come from the writer
    /// (tests/reference/make_keras_files.py, manifest.json), never from the code under test.
    /// </summary>
    public sealed class KerasFileTests
    {
        private static string KerasDir => TestData.PathOf("keras");

        public static IEnumerable<object[]> Hdf5Files() =>
            Directory.GetFiles(KerasDir, "*.h5").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).Select(n => new object[] { n! });

        public static IEnumerable<object[]> KerasZips() =>
            Directory.GetFiles(KerasDir, "*.keras").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).Select(n => new object[] { n! });

        public static IEnumerable<object[]> ManifestFiles()
        {
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(KerasDir, "manifest.json")));
            return manifest.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "float64_weights.h5").Select(n => new object[] { n }).ToList();
        }

        private static byte[] Hdf5BytesOf(string name)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(KerasDir, name));
            if (!name.EndsWith(".keras", StringComparison.Ordinal)) return bytes;
            using var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            using Stream entry = archive.GetEntry("model.weights.h5")!.Open();
            var copy = new MemoryStream();
            entry.CopyTo(copy);
            return copy.ToArray();
        }

        [Theory]
        [MemberData(nameof(Hdf5Files))]
        [MemberData(nameof(KerasZips))]
        public void EveryDatasetAndAttributeMatchesPureHDF(string name)
        {
            byte[] bytes = Hdf5BytesOf(name);
            Hdf5File ours = Hdf5File.Open(bytes).GetValueOrThrow(name);
            using var oracle = H5File.Open(new MemoryStream(bytes), leaveOpen: false);
            int datasets = 0, attributes = 0;
            CompareGroup(oracle, ours.Root, "", ref datasets, ref attributes);
            Assert.True(datasets > 0, $"{name}: no dataset compared");
            Assert.True(attributes > 0 || name.EndsWith(".keras", StringComparison.Ordinal) || name.StartsWith("keras3.", StringComparison.Ordinal), $"{name}: no attribute compared");
        }

        private static void CompareGroup(IH5Group oracle, Hdf5Object ours, string path, ref int datasets, ref int attributes)
        {
            CompareAttributes(oracle, ours, path, ref attributes);
            string[] expected = oracle.Children().Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            string[] actual = ours.Links.Select(l => l.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Assert.Equal(expected, actual);
            foreach (IH5Object child in oracle.Children())
            {
                Hdf5Object mine = ours.Child(child.Name) ?? throw new Xunit.Sdk.XunitException($"{path}/{child.Name} missing");
                if (child is IH5Dataset dataset)
                {
                    Assert.True(mine.IsDataset, $"{path}/{child.Name} is a dataset");
                    Assert.Equal(dataset.Space.Dimensions.Select(d => (long)d).ToArray(), mine.Shape);
                    CompareAttributes(dataset, mine, path + "/" + child.Name, ref attributes);
                    double[] actualValues = mine.ReadDoubles();
                    double[] expectedValues = dataset.Type.Class == H5DataTypeClass.FloatingPoint && dataset.Type.Size == 4
                        ? dataset.Read<float[]>().Select(v => (double)v).ToArray()
                        : dataset.Type.Class == H5DataTypeClass.FloatingPoint
                            ? dataset.Read<double[]>()
                            : dataset.Read<long[]>().Select(v => (double)v).ToArray();
                    Assert.Equal(expectedValues, actualValues);
                    datasets++;
                }
                else if (child is IH5Group group)
                {
                    Assert.True(mine.IsGroup, $"{path}/{child.Name} is a group");
                    CompareGroup(group, mine, path + "/" + child.Name, ref datasets, ref attributes);
                }
            }
        }

        private static void CompareAttributes(IH5Object oracle, Hdf5Object ours, string path, ref int count)
        {
            string[] expected = oracle.Attributes().Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            string[] actual = ours.Attributes.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Assert.Equal(expected, actual);
            foreach (IH5Attribute attribute in oracle.Attributes())
            {
                Hdf5Attribute mine = ours.Attribute(attribute.Name)!;
                if (attribute.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength)
                {
                    string[] values = attribute.Space.Type == H5DataspaceType.Scalar
                        ? new[] { attribute.Read<string>() }
                        : attribute.Read<string[]>();
                    Assert.Equal(values, mine.ReadStrings());
                }
                else if (attribute.Type.Class == H5DataTypeClass.FloatingPoint)
                {
                    Assert.Equal(attribute.Space.Dimensions.Aggregate(1UL, (a, b) => a * b), (ulong)mine.ReadDoubles().Length);
                    if (attribute.Type.Size == 8 && mine.ReadDoubles().Length > 0) Assert.Equal(attribute.Read<double[]>(), mine.ReadDoubles());
                }
                count++;
            }
        }

        [Theory]
        [MemberData(nameof(ManifestFiles))]
        public void KerasReaderReturnsTheWritersLayersAndWeights(string name)
        {
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(KerasDir, "manifest.json")));
            JsonElement entry = manifest.RootElement.GetProperty(name);
            string? arch = entry.TryGetProperty("arch", out JsonElement a) ? File.ReadAllText(Path.Combine(KerasDir, a.GetString()!)) : null;
            KerasModelFile file = KerasFileReader.Read(File.ReadAllBytes(Path.Combine(KerasDir, name)), arch).GetValueOrThrow(name);
            string kind = entry.GetProperty("kind").GetString()!;
            Assert.Equal(kind switch { "h5-full" => KerasFileReader.FullH5Format, "h5-weights" => KerasFileReader.WeightsH5Format, _ => KerasFileReader.ZipFormat }, file.Format);
            Assert.Equal(kind == "h5-weights", file.ConfigJson is null);

            // The reader's layers, without the InputLayer of configs that list one, are the writer's layers in order.
            KerasLayerWeights[] layers = file.Layers.Where(l => l.ClassName != "InputLayer").ToArray();
            JsonElement[] expected = entry.GetProperty("layers").EnumerateArray().ToArray();
            Assert.Equal(expected.Select(l => l.GetProperty("name").GetString()).ToArray(), layers.Select(l => l.Name).ToArray());
            for (int i = 0; i < expected.Length; i++)
            {
                if (expected[i].GetProperty("class").GetString() != "Dense")
                {
                    Assert.Empty(layers[i].Weights);
                    continue;
                }
                Assert.Equal(2, layers[i].Weights.Count);
                KerasTensor kernel = layers[i].Weights[0], bias = layers[i].Weights[1];
                Assert.Equal(expected[i].GetProperty("kernel_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), kernel.Shape);
                Assert.Equal(expected[i].GetProperty("kernel").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(), kernel.Values);
                Assert.Equal(new[] { expected[i].GetProperty("units").GetInt32() }, bias.Shape);
                Assert.Equal(expected[i].GetProperty("bias").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(), bias.Values);
            }
        }

        [Fact]
        public void VersionsBackendsAndSuperblocksAreTheWriters()
        {
            KerasModelFile keras1 = Read("keras1_full.h5");
            Assert.Equal("1.2.2", keras1.KerasVersion);
            Assert.Null(keras1.Backend);
            Assert.Contains("\"output_dim\"", keras1.ConfigJson);
            Assert.Equal("tensorflow", Read("keras2_full.h5").Backend);
            Assert.Equal("3.9.2", Read("keras39.keras").KerasVersion);
            Assert.Equal("2.13.1", Read("tfkeras213.keras").KerasVersion);
            Assert.Equal(0, Hdf5File.Open(File.ReadAllBytes(Path.Combine(KerasDir, "keras2_full.h5"))).GetValueOrThrow("").SuperblockVersion);
            Assert.Equal(2, Hdf5File.Open(File.ReadAllBytes(Path.Combine(KerasDir, "superblock2.h5"))).GetValueOrThrow("").SuperblockVersion);
            Hdf5File latest = Hdf5File.Open(File.ReadAllBytes(Path.Combine(KerasDir, "latest_many_layers.h5"))).GetValueOrThrow("");
            Assert.Equal(3, latest.SuperblockVersion);
            // The variants the file exists for: links and attributes in dense storage.
            Assert.True(latest.Get("model_weights")!.HasDenseLinks);
            Assert.True(latest.Get("model_weights")!.HasDenseAttributes);
            Assert.False(Hdf5File.Open(File.ReadAllBytes(Path.Combine(KerasDir, "keras2_full.h5"))).GetValueOrThrow("").Get("model_weights")!.HasDenseLinks);
        }

        [Fact]
        public void Float64WeightsAreRefusedNamingTheWeight()
        {
            FormatResult<KerasModelFile> result = KerasFileReader.Read(File.ReadAllBytes(Path.Combine(KerasDir, "float64_weights.h5")));
            Assert.False(result.Succeeded);
            Assert.Contains("float64", result.Error);
            Assert.Contains("dense/kernel:0", result.Error);
        }

        [Fact]
        public void Keras3WeightsWithoutAnArchitectureAreItsClassGroupsInSuffixOrder()
        {
            KerasModelFile file = Read("keras3.weights.h5");
            Assert.True(file.UnorderedClassLayout);
            Assert.Equal(new[] { "dense", "dense_1", "dropout" }, file.Layers.Select(l => l.Name).ToArray());
            Assert.Equal(new[] { 4, 5 }, file.Layers[0].Weights[0].Shape);
            Assert.Equal(new[] { 5, 3 }, file.Layers[1].Weights[0].Shape);
        }

        [Fact]
        public void SnakeCaseFollowsKerasNaming()
        {
            Assert.Equal("dense", KerasFileReader.SnakeCase("Dense"));
            Assert.Equal("leaky_re_lu", KerasFileReader.SnakeCase("LeakyReLU"));
            Assert.Equal("batch_normalization", KerasFileReader.SnakeCase("BatchNormalization"));
            Assert.Equal("q_dense", KerasFileReader.SnakeCase("QDense"));
            Assert.Equal("p_re_lu", KerasFileReader.SnakeCase("PReLU"));
        }

        [Fact]
        public void MetadataIsReadAsJsonAndADamagedOneCostsOnlyTheVersion()
        {
            byte[] original = File.ReadAllBytes(Path.Combine(KerasDir, "keras39.keras"));
            KerasModelFile Rewritten(string metadata) =>
                KerasFileReader.Read(WithEntry(original, "metadata.json", metadata)).GetValueOrThrow("keras39.keras");

            // The top-level field, not the first text that looks like it; escapes decoded.
            Assert.Equal("3.9.2", Rewritten("{\"nested\": {\"keras_version\": \"1.0\"}, \"keras_version\": \"3.9.2\"}").KerasVersion);
            Assert.Equal("3.9.2-x", Rewritten("{\"keras_version\": \"3.9.2\\u002dx\"}").KerasVersion);
            // Not JSON, not an object, not a string: no version, the same layers.
            int layers = Read("keras39.keras").Layers.Count;
            foreach (string damaged in new[] { "{\"keras_version\": ", "[\"keras_version\", \"3\"]", "{\"keras_version\": 3}" })
            {
                KerasModelFile file = Rewritten(damaged);
                Assert.Null(file.KerasVersion);
                Assert.Equal(layers, file.Layers.Count);
            }
        }

        /// <summary>The zip <paramref name="zip"/> with the entry <paramref name="name"/> replaced by <paramref name="text"/>.</summary>
        private static byte[] WithEntry(byte[] zip, string name, string text)
        {
            var buffer = new MemoryStream();
            using (var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
            using (var target = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (ZipArchiveEntry entry in source.Entries)
                {
                    using Stream to = target.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open();
                    if (entry.FullName == name) to.Write(Encoding.UTF8.GetBytes(text));
                    else entry.Open().CopyTo(to);
                }
            }
            return buffer.ToArray();
        }

        [Fact]
        public void ZipReaderMatchesSystemIOCompressionForStoredAndDeflatedEntries()
        {
            var buffer = new MemoryStream();
            var random = new Random(7);
            var contents = new Dictionary<string, byte[]>();
            using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach ((string name, CompressionLevel level, int size) in new[] { ("a.txt", CompressionLevel.NoCompression, 1000), ("b/c.bin", CompressionLevel.Optimal, 50000), ("empty", CompressionLevel.Optimal, 0) })
                {
                    var data = new byte[size];
                    for (int i = 0; i < size; i++) data[i] = (byte)(random.Next(16) + (i % 7));
                    contents[name] = data;
                    using Stream s = archive.CreateEntry(name, level).Open();
                    s.Write(data);
                }
            }
            byte[] bytes = buffer.ToArray();
            ZipReader zip = ZipReader.Open(bytes).GetValueOrThrow("zip");
            Assert.Equal(contents.Keys.OrderBy(k => k), zip.Entries.Select(e => e.Name).OrderBy(k => k));
            Assert.Contains(zip.Entries, e => e.Method == 8);
            foreach (ZipEntry entry in zip.Entries) Assert.Equal(contents[entry.Name], zip.Read(entry).GetValueOrThrow(entry.Name));

            // A flipped byte inside stored data is caught by the CRC-32.
            ZipEntry stored = zip.Find("a.txt")!;
            byte[] corrupt = (byte[])bytes.Clone();
            corrupt[stored.LocalHeaderOffset + 30 + "a.txt".Length + 10] ^= 0x40;
            FormatResult<byte[]> bad = ZipReader.Open(corrupt).GetValueOrThrow("zip").Read(stored);
            Assert.False(bad.Succeeded);
            Assert.Contains("CRC-32", bad.Error);
        }

        /// <summary>
        /// Mutation test: truncations and random byte changes of every test file make the readers return a result or an error,
        /// never throw, and finish quickly. The seed is fixed, so a failure reproduces.
        /// </summary>
        [Fact]
        public void CorruptFilesGiveAnErrorOrAResultNeverAnException()
        {
            string[] files = Directory.GetFiles(KerasDir).Where(f => f.EndsWith(".h5") || f.EndsWith(".keras")).Where(f => new FileInfo(f).Length < 100_000).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            var random = new Random(20261203);
            int cases = 0, errors = 0;
            var clock = Stopwatch.StartNew();
            foreach (string path in files)
            {
                byte[] original = File.ReadAllBytes(path);
                string? arch = path.EndsWith("keras3.weights.h5") ? File.ReadAllText(Path.Combine(KerasDir, "keras3.arch.json")) : null;
                for (int i = 0; i < 300; i++)
                {
                    byte[] mutated;
                    if (i < 20)
                    {
                        mutated = original.AsSpan(0, random.Next(original.Length)).ToArray();
                    }
                    else
                    {
                        mutated = (byte[])original.Clone();
                        int changes = 1 + random.Next(4);
                        for (int c = 0; c < changes; c++)
                        {
                            int at = random.Next(mutated.Length);
                            mutated[at] = random.Next(3) switch { 0 => (byte)random.Next(256), 1 => 0xFF, _ => (byte)(mutated[at] ^ (1 << random.Next(8))) };
                        }
                    }
                    FormatResult<KerasModelFile> result;
                    try
                    {
                        result = KerasFileReader.Read(mutated, arch);
                    }
                    catch (Exception e)
                    {
                        throw new Xunit.Sdk.XunitException($"{Path.GetFileName(path)} mutation {i}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                    }
                    if (!result.Succeeded)
                    {
                        errors++;
                        Assert.False(string.IsNullOrWhiteSpace(result.Error));
                    }
                    cases++;
                }
            }
            Assert.True(cases >= 4000, $"{cases} cases");
            Assert.True(errors > 0);
        }

        private static KerasModelFile Read(string name) => KerasFileReader.Read(File.ReadAllBytes(Path.Combine(KerasDir, name))).GetValueOrThrow(name);
    }
}
