using System.Collections.Generic;
using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.Literals;
using N = ModelGen.Generator.Emit.GeneratedNames;

namespace ModelGen.Generator.Emit
{
    // Member group: the size constants, the instance fields, the constructors and the parameter vector.
    internal static partial class NetworkEmitter
    {
        private static void WriteConstantsAndFields(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("/// <summary>Floats per sample in.</summary>");
            w.WriteLine(s_generatedCode);
            w.WriteLine($"public const int {N.InputSize} = {spec.InputSize};");
            w.WriteLine();
            w.WriteLine("/// <summary>Floats per sample out.</summary>");
            w.WriteLine(s_generatedCode);
            w.WriteLine($"public const int {N.OutputSize} = {spec.OutputSize};");
            w.WriteLine();
            w.WriteLine("/// <summary>Length of the flat parameter vector (Keras <c>get_weights()</c> order).</summary>");
            w.WriteLine(s_generatedCode);
            w.WriteLine($"public const int {N.ParameterCount} = {spec.ParameterCount};");
            w.WriteLine();
            w.WriteLine(s_never);
            w.WriteLine($"private readonly float[] {N.ParametersField};");
            w.WriteLine(s_never);
            w.WriteLine($"private readonly int {N.StartField};");
            w.WriteLine(s_never);
            w.WriteLine($"private float[]? {N.TraceField};");
            w.WriteLine(s_never);
            w.WriteLine($"private int {N.TraceSamplesField};");
            if (spec.HasDropout)
            {
                w.WriteLine(s_never);
                w.WriteLine($"private {TypeRefs.SeededRandom} {N.DropoutRandomField};");
            }
            if (spec.HasAffine)
            {
                w.WriteLine(s_never);
                w.WriteLine($"private readonly float[] {N.StateField} = {N.StateConstants}.ToArray();");
                w.WriteLine(s_never);
                w.WriteLine($"private readonly float[] {N.AffineField} = {N.AffineConstants}.ToArray();");
            }
            if (plan.HeapScratch)
            {
                w.WriteLine($"[{TypeRefs.ThreadStatic}]");
                w.WriteLine($"private static float[]? {N.ScratchField};");
            }
            w.WriteLine();
        }

        private static void WriteConstructors(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            string allocate = $"{N.ParametersField} = {TypeRefs.Aligned}.Allocate({N.ParameterCount}, out {N.StartField});";
            if (spec.HasWeights)
            {
                w.WriteLine($"/// <summary>Creates the model with the embedded weights (a copy: training it leaves <see cref=\"{N.Predict}\"/> unchanged).</summary>");
                w.WriteLine(s_generatedCode);
                using (w.Braces($"public {spec.ClassName}()"))
                {
                    w.WriteLine(allocate);
                    w.WriteLine($"{N.Weights}.CopyTo({N.Parameters});");
                    if (spec.HasDropout) w.WriteLine($"{N.SeedDropout}({TypeRefs.Initializers}.NewSeed());");
                }
            }
            else
            {
                w.WriteLine("/// <summary>Creates the model with Keras-default initialization from a fresh random seed.</summary>");
                w.WriteLine(s_generatedCode);
                w.WriteLine($"public {spec.ClassName}() : this({TypeRefs.Initializers}.NewSeed())");
                w.WriteLine("{");
                w.WriteLine("}");
            }
            w.WriteLine();
            w.WriteLine("/// <summary>Creates the model with its initializers drawn from <paramref name=\"seed\"/>: the same seed gives the same parameters on every machine.</summary>");
            w.WriteLine(s_generatedCode);
            using (w.Braces($"public {spec.ClassName}(int seed)"))
            {
                w.WriteLine(allocate);
                if (spec.HasDropout) w.WriteLine($"{N.SeedDropout}(seed);");
                w.WriteLine($"var random = new {TypeRefs.SeededRandom}(seed);");
                w.WriteLine($"{Span} p = {N.Parameters};");
                foreach (LayerSpec layer in spec.Layers)
                {
                    if (layer.Kind != LayerKind.Dense) continue;
                    w.WriteLine($"{TypeRefs.Initializers}.Fill(p.Slice({layer.KernelOffset}, {layer.Inputs * layer.Units}), {TypeRefs.Initializer}.{layer.KernelInitializer}, {layer.Inputs}, {layer.Units}, ref random);");
                    if (layer.UseBias)
                    {
                        w.WriteLine($"{TypeRefs.Initializers}.Fill(p.Slice({layer.BiasOffset}, {layer.Units}), {TypeRefs.Initializer}.{layer.BiasInitializer}, {layer.Inputs}, {layer.Units}, ref random);");
                    }
                }
            }
            w.WriteLine();
        }

        private static void WriteParameters(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("/// <summary>The flat parameter vector: for each Dense layer, the kernel [inputs x units] row-major, then the bias. It starts on a 64-byte boundary and never moves.</summary>");
            w.WriteLine(s_generatedCode);
            w.WriteLine($"public {Span} {N.Parameters} => {TypeRefs.Aligned}.Run({N.ParametersField}, {N.StartField}, {N.ParameterCount});");
            w.WriteLine();
            var sizes = new List<string>();
            foreach (LayerSpec layer in spec.Layers)
            {
                if (layer.Kind != LayerKind.Dense) continue;
                sizes.Add(Int(layer.Inputs * layer.Units));
                if (layer.UseBias) sizes.Add(Int(layer.Units));
            }
            w.WriteLine($"/// <summary>The lengths of the weight tensors in <see cref=\"{N.Parameters}\"/>: each Dense layer's kernel, then its bias (what <c>Optimizer.ClipNorm</c> clips one by one).</summary>");
            w.WriteLine(s_generatedCode);
            w.WriteLine(sizes.Count == 0
                ? $"public global::System.ReadOnlySpan<int> {N.TensorSizes} => default;"
                : $"public global::System.ReadOnlySpan<int> {N.TensorSizes} => new int[] {{ {string.Join(", ", sizes)} }};");
            w.WriteLine();
            w.WriteLine($"int {TypeRefs.IModel}.{N.InputSize} => {N.InputSize};");
            w.WriteLine($"int {TypeRefs.IModel}.{N.OutputSize} => {N.OutputSize};");
            w.WriteLine($"int {TypeRefs.IModel}.{N.ParameterCount} => {N.ParameterCount};");
            w.WriteLine($"{TypeRefs.Activation} {TypeRefs.IModel}.OutputActivation => {TypeRefs.Activation}.{plan.Last.Layer.Activation.Kind};");
            w.WriteLine();
            if (spec.HasAffine) WriteNonTrainable(w, plan);
        }

        // The affine layers' state: constants, the public members that read and replace it, and the refold.
        private static void WriteNonTrainable(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Length of the non-trainable state: the stored vectors of the BatchNormalization and adapted Normalization layers, which");
            w.WriteLine("/// training leaves alone (BatchNormalization runs frozen, in inference mode, as Keras runs one whose trainable is false).");
            w.WriteLine("/// </summary>");
            w.WriteLine(s_generatedCode);
            w.WriteLine($"public const int {N.NonTrainableParameterCount} = {spec.StateCount};");
            w.WriteLine();
            var sizes = new List<string>();
            foreach (LayerSpec layer in spec.Layers)
            {
                if (layer.Kind != LayerKind.Affine) continue;
                foreach (string _ in layer.Affine.StoredNames) sizes.Add(Int(layer.Units));
            }
            w.WriteLine("/// <summary>");
            w.WriteLine("/// The non-trainable state in layer order: per BatchNormalization layer gamma (when it scales), beta (when it centers),");
            w.WriteLine("/// moving_mean and moving_variance; per adapted Normalization layer mean and variance. Read-only: replace it with");
            w.WriteLine($"/// <see cref=\"{N.SetNonTrainableParameters}\"/>, which refolds the layers' affine maps.");
            w.WriteLine("/// </summary>");
            w.WriteLine(s_generatedCode);
            w.WriteLine($"public {ReadOnlySpan} {N.NonTrainableParameters} => {N.StateField};");
            w.WriteLine();
            w.WriteLine($"/// <summary>The lengths of the vectors in <see cref=\"{N.NonTrainableParameters}\"/>, in order.</summary>");
            w.WriteLine(s_generatedCode);
            w.WriteLine(sizes.Count == 0
                ? $"public global::System.ReadOnlySpan<int> {N.NonTrainableTensorSizes} => default;"
                : $"public global::System.ReadOnlySpan<int> {N.NonTrainableTensorSizes} => new int[] {{ {string.Join(", ", sizes)} }};");
            w.WriteLine();
            w.WriteLine("/// <summary>");
            w.WriteLine($"/// Replaces the non-trainable state ({N.NonTrainableParameterCount} floats, the layout of <see cref=\"{N.NonTrainableParameters}\"/>)");
            w.WriteLine("/// and refolds each layer's affine map in double precision. All-or-nothing: a wrong length, a non-finite value or a");
            w.WriteLine("/// variance the layer cannot use throws <see cref=\"global::System.ArgumentException\"/> naming the layer and changes nothing.");
            w.WriteLine("/// </summary>");
            w.WriteLine(s_generatedCode);
            using (w.Braces($"public void {N.SetNonTrainableParameters}({ReadOnlySpan} values)"))
            {
                w.WriteLine($"{TypeRefs.Shapes}.Expect(values.Length, {N.NonTrainableParameterCount}, nameof(values), \"{N.NonTrainableParameterCount}\");");
                w.WriteLine($"float[] folded = (float[]){N.AffineField}.Clone();");
                foreach (LayerPlan layerPlan in plan.Layers)
                {
                    LayerSpec layer = layerPlan.Layer;
                    if (layer.Kind != LayerKind.Affine || !layer.Affine.Stored) continue;
                    string label = $"layer {layerPlan.Index} ({layer.Affine.ClassName}{(string.IsNullOrEmpty(layer.Affine.Name) ? "" : " '" + layer.Affine.Name + "'")})";
                    var safe = new System.Text.StringBuilder();
                    foreach (char ch in label) safe.Append(ch < ' ' || ch == '\u007f' || ch == '\u2028' || ch == '\u2029' ? '?' : ch);
                    string name = "\"" + safe.ToString().Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
                    string stored = $"values.Slice({Int(layer.StateOffset)}, {Int(layer.StoredCount)})";
                    w.WriteLine(layer.Affine.Kind == ModelGen.Formats.AffineKind.BatchNormalization
                        ? $"{TypeRefs.AffineMath}.FoldBatchNormalization({stored}, {Int(layer.Units)}, {(layer.Affine.Center ? "true" : "false")}, {(layer.Affine.Scale ? "true" : "false")}, {Double(layer.Affine.Epsilon)}, folded, {Int(layer.FoldedOffset)}, {name});"
                        : $"{TypeRefs.AffineMath}.FoldNormalization({stored}, {Int(layer.Units)}, {(layer.Affine.Invert ? "true" : "false")}, folded, {Int(layer.FoldedOffset)}, {name});");
                }
                w.WriteLine($"values.CopyTo({N.StateField});");
                w.WriteLine($"folded.CopyTo({N.AffineField}, 0);");
            }
            w.WriteLine();
            w.WriteLine($"int {TypeRefs.IModel}.{N.NonTrainableParameterCount} => {N.NonTrainableParameterCount};");
            w.WriteLine();
            float[] state = AffinePlan.State(spec);
            float[] folded2 = AffinePlan.Folded(spec, state);
            WriteConstants(w, N.StateConstants, state, "The non-trainable state " + (spec.HasWeights ? "of the compiled-in file" : "Keras initializes (gamma and variances 1, beta and means 0)") + ".");
            WriteConstants(w, N.AffineConstants, folded2, "The affine maps folded from it in double precision: per affine layer its scale, then its offset.");
        }

        private static void WriteConstants(SourceWriter w, string name, float[] values, string what)
        {
            w.WriteLine($"/// <summary>{what}</summary>");
            w.WriteLine(s_never);
            w.WriteLine($"private static {ReadOnlySpan} {name} => new float[{Int(values.Length)}]");
            w.WriteLine("{");
            var line = new System.Text.StringBuilder();
            for (int i = 0; i < values.Length; i++)
            {
                if (i % CodeShape.WeightsPerLine == 0)
                {
                    if (line.Length > 0) w.WriteLine(line.ToString());
                    line.Clear().Append("    ");
                }
                else line.Append(' ');
                line.Append(Float(values[i])).Append(',');
            }
            if (line.Length > 0) w.WriteLine(line.ToString());
            w.WriteLine("};");
            w.WriteLine();
        }
    }
}
