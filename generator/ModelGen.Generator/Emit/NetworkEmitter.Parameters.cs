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
        }
    }
}
