using System;
using System.IO;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Formats
{
    /// <summary>
    /// <see cref="WeightFile.Load(IModel, string)"/> recognizes the file's format and dispatches to its loader; the expected
    /// parameters and state are the compiled-in ones of the same file (generator path), checked against torch and ONNX
    /// Runtime in <see cref="AffineLayerTests"/>.
    /// </summary>
    public sealed class WeightFileDispatchTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "modelgen-dispatch-" + Guid.NewGuid().ToString("N"));

        public WeightFileDispatchTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        [Theory]
        [InlineData("affine/torch_bn_first_mid_last_op11.onnx")]
        [InlineData("affine/keras3_bn.keras")]
        public void LoadRecognizesTheFormat(string file)
        {
            IModel compiled = file.EndsWith(".onnx", StringComparison.Ordinal) ? new AffineTorchBnOp11() : new AffineKeras3Bn();
            IModel fresh = (IModel)Activator.CreateInstance(compiled.GetType(), 99)!;
            float[] other = fresh.NonTrainableParameters.ToArray().Select(v => v + 0.5f).ToArray();
            fresh.SetNonTrainableParameters(other);
            // Under a neutral name as well: a .keras file is a zip, whatever it is called.
            string copy = Path.Combine(_folder, file.EndsWith(".onnx", StringComparison.Ordinal) ? "model.onnx" : "model.bin");
            File.Copy(TestData.PathOf(file), copy);
            foreach (string path in new[] { TestData.PathOf(file), copy })
            {
                WeightFile.Load(fresh, path);
                Assert.Equal(compiled.Parameters.ToArray(), fresh.Parameters.ToArray());
                Assert.Equal(compiled.NonTrainableParameters.ToArray(), fresh.NonTrainableParameters.ToArray());
            }
        }

        [Fact]
        public void LoadStillReadsModelGensOwnFormatAndSafetensors()
        {
            var source = new AffineKeras2BnFull();
            var target = new AffineKeras2BnFull(5);
            string mgw = Path.Combine(_folder, "w.mgw");
            WeightFile.Save(source, mgw);
            WeightFile.Load(target, mgw);
            Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());
            var other = new AffineKeras2BnFull(6);
            string safetensors = Path.Combine(_folder, "w.safetensors");
            WeightFile.SaveSafetensors(other, safetensors);
            WeightFile.Load(target, safetensors);
            Assert.Equal(other.Parameters.ToArray(), target.Parameters.ToArray());
        }

        [Fact]
        public void ABrokenFileIsAnInvalidDataExceptionNamingItAndChangesNothing()
        {
            var model = new AffineTorchBnOp11(4);
            float[] parameters = model.Parameters.ToArray(), state = model.NonTrainableParameters.ToArray();
            string onnx = Path.Combine(_folder, "cut.onnx");
            File.WriteAllBytes(onnx, File.ReadAllBytes(TestData.PathOf("affine/torch_bn_first_mid_last_op11.onnx"))[..200]);
            var e = Assert.Throws<InvalidDataException>(() => WeightFile.Load(model, onnx));
            Assert.Contains("cut.onnx", e.Message);
            string keras = Path.Combine(_folder, "cut.keras");
            File.WriteAllBytes(keras, File.ReadAllBytes(TestData.PathOf("affine/keras3_bn.keras"))[..300]);
            e = Assert.Throws<InvalidDataException>(() => WeightFile.Load(model, keras));
            Assert.Contains("cut.keras", e.Message);
            string junk = Path.Combine(_folder, "junk.bin");
            File.WriteAllBytes(junk, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 });
            Assert.Throws<InvalidDataException>(() => WeightFile.Load(model, junk));
            // A Keras file of another architecture.
            e = Assert.Throws<InvalidDataException>(() => WeightFile.Load(model, TestData.PathOf("affine/keras2_bn_full.h5")));
            Assert.Contains("keras2_bn_full.h5", e.Message);
            Assert.Equal(parameters, model.Parameters.ToArray());
            Assert.Equal(state, model.NonTrainableParameters.ToArray());
        }
    }
}
