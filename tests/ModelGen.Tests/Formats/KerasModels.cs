using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Formats
{
    // Saved Keras models compiled in by the generator: every layout of tests/reference/make_keras_files.py.
    [Model("Data/keras/keras1_full.h5")] public partial class Keras1Full { }
    [Model("Data/keras/keras2_full.h5")] public partial class Keras2Full { }
    [Model("Data/keras/keras2_chunked_deflate.h5")] public partial class Keras2ChunkedDeflate { }
    [Model("Data/keras/keras2_compact.h5")] public partial class Keras2Compact { }
    [Model("Data/keras/tfkeras25_functional.h5")] public partial class TfKeras25Functional { }
    [Model("Data/keras/keras38_legacy.h5")] public partial class Keras38Legacy { }
    [Model("Data/keras/latest_many_layers.h5")] public partial class LatestManyLayers { }
    [Model("Data/keras/superblock2.h5")] public partial class Superblock2 { }
    [Model("Data/keras/keras35.keras")] public partial class Keras35Zip { }
    [Model("Data/keras/keras39.keras")] public partial class Keras39Zip { }
    [Model("Data/keras/tfkeras213.keras")] public partial class TfKeras213Zip { }
    [Model(Json = "Data/keras/keras2_weights.arch.json", Weights = "Data/keras/keras2_weights.h5")] public partial class Keras2WeightsOnly { }
    [Model(Json = "Data/keras/keras3.arch.json", Weights = "Data/keras/keras3.weights.h5")] public partial class Keras3WeightsOnly { }

    /// <summary>
    /// The compiled-in saved models compute the writer's float64 reference outputs (numpy forward pass, cross-checked with
    /// torch in make_keras_files.py) through Predict, through new M(), and after WeightFile.LoadKeras into a fresh model.
    /// </summary>
    public sealed class KerasModelTests
    {
        public static IEnumerable<object[]> Cases() => new[]
        {
            new object[] { "keras1_full.h5" }, new object[] { "keras2_full.h5" }, new object[] { "keras2_chunked_deflate.h5" },
            new object[] { "keras2_compact.h5" }, new object[] { "tfkeras25_functional.h5" }, new object[] { "keras38_legacy.h5" },
            new object[] { "latest_many_layers.h5" }, new object[] { "superblock2.h5" }, new object[] { "keras35.keras" },
            new object[] { "keras39.keras" }, new object[] { "tfkeras213.keras" }, new object[] { "keras2_weights.h5" },
            new object[] { "keras3.weights.h5" },
        };

        private static (IModel Model, Action<float[], float[]> Predict) Compiled(string file) => file switch
        {
            "keras1_full.h5" => (new Keras1Full(), (i, o) => Keras1Full.Predict(i, o)),
            "keras2_full.h5" => (new Keras2Full(), (i, o) => Keras2Full.Predict(i, o)),
            "keras2_chunked_deflate.h5" => (new Keras2ChunkedDeflate(), (i, o) => Keras2ChunkedDeflate.Predict(i, o)),
            "keras2_compact.h5" => (new Keras2Compact(), (i, o) => Keras2Compact.Predict(i, o)),
            "tfkeras25_functional.h5" => (new TfKeras25Functional(), (i, o) => TfKeras25Functional.Predict(i, o)),
            "keras38_legacy.h5" => (new Keras38Legacy(), (i, o) => Keras38Legacy.Predict(i, o)),
            "latest_many_layers.h5" => (new LatestManyLayers(), (i, o) => LatestManyLayers.Predict(i, o)),
            "superblock2.h5" => (new Superblock2(), (i, o) => Superblock2.Predict(i, o)),
            "keras35.keras" => (new Keras35Zip(), (i, o) => Keras35Zip.Predict(i, o)),
            "keras39.keras" => (new Keras39Zip(), (i, o) => Keras39Zip.Predict(i, o)),
            "tfkeras213.keras" => (new TfKeras213Zip(), (i, o) => TfKeras213Zip.Predict(i, o)),
            "keras2_weights.h5" => (new Keras2WeightsOnly(), (i, o) => Keras2WeightsOnly.Predict(i, o)),
            "keras3.weights.h5" => (new Keras3WeightsOnly(), (i, o) => Keras3WeightsOnly.Predict(i, o)),
            _ => throw new ArgumentException(file),
        };

        private static (float[] Inputs, double[] Outputs, int Rows) Reference(string file)
        {
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(TestData.PathOf(Path.Combine("keras", "manifest.json"))));
            JsonElement entry = manifest.RootElement.GetProperty(file);
            float[] inputs = entry.GetProperty("inputs").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => (float)v.GetDouble()).ToArray();
            double[] outputs = entry.GetProperty("outputs").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
            return (inputs, outputs, entry.GetProperty("inputs").GetArrayLength());
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void PredictAndTheDefaultInstanceMatchTheFloat64Reference(string file)
        {
            (IModel model, Action<float[], float[]> predict) = Compiled(file);
            (float[] inputs, double[] expected, int rows) = Reference(file);
            Assert.Equal(expected.Length, rows * model.OutputSize);
            var output = new float[expected.Length];
            predict(inputs, output);
            Numbers.Close(expected, output, 1e-5, 1e-6, file + " Predict");
            Array.Clear(output);
            model.Forward(inputs, output);
            Numbers.Close(expected, output, 1e-5, 1e-6, file + " new M()");
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void LoadKeras_IntoAFreshModelMatchesTheReference(string file)
        {
            (IModel compiled, _) = Compiled(file);
            IModel model = Fresh(compiled);
            (float[] inputs, double[] expected, _) = Reference(file);
            string? arch = file switch { "keras2_weights.h5" => "keras2_weights.arch.json", "keras3.weights.h5" => "keras3.arch.json", _ => null };
            WeightFile.LoadKeras(model, TestData.PathOf(Path.Combine("keras", file)), arch is null ? null : TestData.PathOf(Path.Combine("keras", arch)));
            var output = new float[expected.Length];
            model.Forward(inputs, output);
            Numbers.Close(expected, output, 1e-5, 1e-6, file + " LoadKeras");
        }

        [Fact]
        public void LoadKeras_RefusesADifferentArchitectureNamingTheLayerAndChangesNothing()
        {
            var model = new Keras2Full(seed: 3);
            float[] before = model.Parameters.ToArray();
            var e = Assert.Throws<InvalidDataException>(() => WeightFile.LoadKeras(model, TestData.PathOf(Path.Combine("keras", "keras2_chunked_deflate.h5"))));
            Assert.Contains("Dense layer 1", e.Message);
            Assert.Contains("[6, 9]", e.Message);
            Assert.Equal(before, model.Parameters.ToArray());
            e = Assert.Throws<InvalidDataException>(() => WeightFile.LoadKeras(model, TestData.PathOf(Path.Combine("keras", "float64_weights.h5"))));
            Assert.Contains("float64", e.Message);
            Assert.Equal(before, model.Parameters.ToArray());
        }

        private static IModel Fresh(IModel compiled) => compiled switch
        {
            Keras1Full => new Keras1Full(1), Keras2Full => new Keras2Full(1), Keras2ChunkedDeflate => new Keras2ChunkedDeflate(1),
            Keras2Compact => new Keras2Compact(1), TfKeras25Functional => new TfKeras25Functional(1), Keras38Legacy => new Keras38Legacy(1),
            LatestManyLayers => new LatestManyLayers(1), Superblock2 => new Superblock2(1), Keras35Zip => new Keras35Zip(1),
            Keras39Zip => new Keras39Zip(1), TfKeras213Zip => new TfKeras213Zip(1), Keras2WeightsOnly => new Keras2WeightsOnly(1),
            Keras3WeightsOnly => new Keras3WeightsOnly(1), _ => throw new ArgumentException(compiled.GetType().Name),
        };
    }
}
