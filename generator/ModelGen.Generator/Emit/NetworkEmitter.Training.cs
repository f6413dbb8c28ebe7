using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.Literals;
using N = ModelGen.Generator.Emit.GeneratedNames;

namespace ModelGen.Generator.Emit
{
    // Member group: training. ForwardTrace, Backward, ComputeGradients, SeedDropout, and the trace they share.
    internal static partial class NetworkEmitter
    {
        // Where region r of the trace starts for n samples: "0" or "Layer0ZAt * n".
        private static string Start(Region r) => r.Start == 0 ? "0" : r.Name + " * n";

        // The region of all n samples, or of `count` samples from `sample` on.
        private static string Whole(string span, Region r, string? sample = null, int count = 0) => sample is null
            ? $"{span}.Slice({Start(r)}, n * {r.Width})"
            : $"{span}.Slice({(r.Start == 0 ? "" : r.Name + " * n + ")}{sample} * {r.Width}, {count * r.Width})";

        private static string Slice(string span, Region r, string sample = "s") =>
            $"{span}.Slice({(r.Start == 0 ? "" : r.Name + " * n + ")}{sample} * {r.Width}, {r.Width})";

        // The start of every trace region, one constant each, in floats per sample.
        private static void WriteTraceLayout(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine("// The training trace holds each region below for all n samples, back to back: a region starts at n times its constant.");
            foreach ((Region region, string what) in plan.Trace.Named)
            {
                w.WriteLine($"private const int {region.Name} = {region.Start}; // {region.Width} floats: {what}");
            }
            w.WriteLine($"private const int {N.TraceWidth} = {plan.Trace.Floats};");
            w.WriteLine();
        }

        // The checks ComputeGradients and Backward share: the two gradient buffers' lengths.
        private static void WriteGradientChecks(SourceWriter w)
        {
            w.WriteLine($"{TypeRefs.Shapes}.Expect(parameterGradient.Length, ParameterCount, nameof(parameterGradient), \"ParameterCount\");");
            w.WriteLine($"{TypeRefs.Shapes}.ExpectOptional(inputGradient.Length, (long)n * InputSize, nameof(inputGradient), \"n * InputSize\");");
        }

        private static void WriteTraining(SourceWriter w, NetworkPlan plan)
        {
            WriteTraceLayout(w, plan);
            WriteTrainingSurface(w, plan);
            WriteTracePlumbing(w, plan);
            WriteRunTrace(w, plan);
            WriteRunBackward(w, plan);
        }

        // The IModel training members: ForwardTrace, Backward, ComputeGradients, SeedDropout.
        private static void WriteTrainingSurface(SourceWriter w, NetworkPlan plan)
        {
            TraceLayout trace = plan.Trace;
            int last = plan.Layers.Count - 1;
            int logits = plan.Last.Layer.PreActivationWidth;
            w.WriteLine("/// <inheritdoc/>");
            w.WriteLine(s_generatedCode);
            using (w.Braces($"public void {N.ForwardTrace}({ReadOnlySpan} input, {Span} output, {Span} logits)"))
            {
                w.WriteLine($"int n = {TypeRefs.Shapes}.BatchSize(input.Length, InputSize, output.Length, OutputSize);");
                w.WriteLine($"{TypeRefs.Shapes}.ExpectOptional(logits.Length, (long)n * {logits}, nameof(logits), \"n * {logits}, the width before the last activation\");");
                w.WriteLine($"{Span} t = {N.Trace}(n);");
                w.WriteLine($"{N.RunTrace}(input, n, t);");
                w.WriteLine($"t.Slice({Start(trace.Y[last])}, n * OutputSize).CopyTo(output);");
                w.WriteLine($"if (!logits.IsEmpty) t.Slice({Start(trace.Z[last])}, n * {logits}).CopyTo(logits);");
            }
            w.WriteLine();
            w.WriteLine("/// <inheritdoc/>");
            w.WriteLine(s_generatedCode);
            using (w.Braces($"public void {N.Backward}({ReadOnlySpan} gradient, bool gradientIsForLogits, {Span} parameterGradient, {Span} inputGradient)"))
            {
                w.WriteLine($"int n = {N.TraceSamplesField};");
                w.WriteLine("if (n == 0) throw new global::System.InvalidOperationException(\"Backward needs a trace: call ForwardTrace first.\");");
                w.WriteLine($"int width = gradientIsForLogits ? {logits} : OutputSize;");
                w.WriteLine($"{TypeRefs.Shapes}.Expect(gradient.Length, (long)n * width, nameof(gradient), \"n * width (n of the last ForwardTrace; width = OutputSize, or the pre-activation width when gradientIsForLogits)\");");
                WriteGradientChecks(w);
                w.WriteLine($"{N.RunBackward}(n, {N.TraceField}!, gradient, gradientIsForLogits, parameterGradient, inputGradient);");
            }
            w.WriteLine();
            w.WriteLine("/// <inheritdoc/>");
            w.WriteLine(s_generatedCode);
            using (w.Braces($"public float {N.ComputeGradients}({ReadOnlySpan} inputs, {ReadOnlySpan} targets, {TypeRefs.Loss} loss, {Span} parameterGradient, {Span} inputGradient = default)"))
            {
                w.WriteLine($"{TypeRefs.ArgumentNullException}.ThrowIfNull(loss);");
                w.WriteLine($"int n = {TypeRefs.Shapes}.Samples(inputs.Length, InputSize, nameof(inputs));");
                w.WriteLine("loss.ValidateTargets(targets, n, OutputSize);");
                WriteGradientChecks(w);
                w.WriteLine($"{Span} t = {N.Trace}(n);");
                w.WriteLine($"{N.RunTrace}(inputs, n, t);");
                w.WriteLine($"{Span} lossGradient = {Whole("t", trace.LossGradient)};");
                w.WriteLine($"{TypeRefs.Activation} outputActivation = {TypeRefs.Activation}.{plan.Last.Layer.Activation.Kind};");
                w.WriteLine($"{ReadOnlySpan} y = t.Slice({Start(trace.Y[last])}, n * OutputSize), z = t.Slice({Start(trace.Z[last])}, n * {logits});");
                w.WriteLine("float value = loss.Evaluate(y, z, targets, n, OutputSize, outputActivation, lossGradient);");
                w.WriteLine($"{N.RunBackward}(n, t, lossGradient, loss.UsesLogits(outputActivation), parameterGradient, inputGradient);");
                w.WriteLine("return value;");
            }
            w.WriteLine();

            if (plan.Spec.HasDropout)
            {
                w.WriteLine("/// <inheritdoc/>");
                w.WriteLine(s_generatedCode);
                w.WriteLine($"public void {N.SeedDropout}(int seed) => {N.DropoutRandomField} = new {TypeRefs.SeededRandom}({CodeShape.DropoutSeedSalt} ^ seed);");
            }
            else
            {
                w.WriteLine($"void {TypeRefs.IModel}.{N.SeedDropout}(int seed) {{ }} // no dropout layers");
            }
            w.WriteLine();
        }

        // The trace workspace, grown on demand.
        private static void WriteTracePlumbing(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine("/// <summary>The trace workspace for n samples, grown when a larger batch arrives and reused after.</summary>");
            w.WriteLine(s_never);
            using (w.Braces($"private {Span} {N.Trace}(int n)"))
            {
                w.WriteLine($"long needed = (long){N.TraceWidth} * n;");
                using (w.Braces("if (needed > global::System.Array.MaxLength)"))
                {
                    w.WriteLine("throw new global::System.ArgumentException(");
                    w.WriteLine("    $\"A batch of {n} samples needs a trace of {needed} floats, more than an array holds; use smaller batches.\");");
                }
                w.WriteLine($"if ({N.TraceField} is null || {N.TraceField}.Length < needed) {N.TraceField} = new float[needed];");
                w.WriteLine($"{N.TraceSamplesField} = n;");
                w.WriteLine($"return {N.TraceField};");
            }
            w.WriteLine();
        }

        // The forward pass over n samples that keeps every layer's values in the trace.
        private static void WriteRunTrace(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            TraceLayout trace = plan.Trace;
            w.WriteLine("/// <summary>Forward pass over n samples that keeps every layer's values in the trace.</summary>");
            w.WriteLine(s_never);
            using (w.Braces($"private void {N.RunTrace}({ReadOnlySpan} inputs, int n, {Span} t)"))
            {
                w.WriteLine($"{ReadOnlySpan} w = {N.Parameters};");
                if (spec.HasAffine) w.WriteLine($"{ReadOnlySpan} st = {N.AffineField};");
                w.WriteLine($"inputs.CopyTo(t.Slice(0, n * {spec.InputSize}));");
                if (spec.InputDropout > 0f)
                {
                    w.WriteLine($"// Dropout {Number(spec.InputDropout)} on the input.");
                    w.WriteLine($"{TypeRefs.DropoutMath}.Forward({Whole("t", trace.Input)}, {Whole("t", trace.InputOut)}, {Whole("t", trace.InputMask)}, {Float(spec.InputDropout)}, ref {N.DropoutRandomField});");
                }
                foreach (LayerPlan layerPlan in plan.Layers)
                {
                    int l = layerPlan.Index;
                    LayerSpec layer = layerPlan.Layer;
                    Region previous = trace.InputOf(l);
                    w.WriteLine($"// Layer {l}: {LayerEmitter.Describe(layer)}");
                    if (layerPlan.IsAffine)
                    {
                        w.WriteLine(layerPlan.AffineForward("st", Whole("t", previous), Whole("t", trace.Z[l]), "n"));
                    }
                    else if (layerPlan.UsesDenseKernels)
                    {
                        w.WriteLine($"{TypeRefs.DenseKernels}.Forward({Whole("t", previous)}, {layerPlan.KernelSlice("w")}, {layerPlan.BiasSlice("w")}, {Whole("t", trace.Z[l])}, n, {layer.Inputs}, {layer.Units});");
                    }
                    else if (layerPlan.IsDense)
                    {
                        Region z = trace.Z[l];
                        using (w.Braces("for (int s = 0; s < n; s++)"))
                        {
                            int batch = CodeShape.BatchSamples;
                            using (w.Braces($"if (s <= n - {batch})"))
                            {
                                w.WriteLine($"{layerPlan.ForwardMethod(batch, activated: false)}(w, {Whole("t", previous, "s", batch)}, {Whole("t", z, "s", batch)});");
                                w.WriteLine($"s += {batch - 1};");
                            }
                            w.WriteLine($"else {layerPlan.ForwardMethod(1, activated: false)}(w, {Slice("t", previous)}, {Slice("t", z)});");
                        }
                    }
                    if (!layer.Activation.IsLinear)
                    {
                        w.WriteLine($"{layerPlan.ActivateMethod}({Whole("t", trace.Z[l])}, {Whole("t", trace.Y[l])}, n);");
                    }
                    if (layer.HasDropout)
                    {
                        w.WriteLine($"{TypeRefs.DropoutMath}.Forward({Whole("t", trace.Y[l])}, {Whole("t", trace.Out[l])}, {Whole("t", trace.Mask[l])}, {Float(layer.DropoutRate)}, ref {N.DropoutRandomField});");
                    }
                }
            }
            w.WriteLine();
        }

        // The backward pass over the trace, last layer first, through two scratch buffers.
        private static void WriteRunBackward(SourceWriter w, NetworkPlan plan)
        {
            NetworkSpec spec = plan.Spec;
            TraceLayout trace = plan.Trace;
            w.WriteLine("/// <summary>Backward pass over the trace: overwrites g with the parameter gradient summed over the n samples.</summary>");
            w.WriteLine(s_never);
            using (w.Braces($"private void {N.RunBackward}(int n, {Span} t, {ReadOnlySpan} gradient, bool gradientIsForLogits, {Span} g, {Span} inputGradient)"))
            {
                w.WriteLine("g.Clear();");
                w.WriteLine($"{ReadOnlySpan} w = {N.Parameters};");
                if (spec.HasAffine) w.WriteLine($"{ReadOnlySpan} st = {N.AffineField};");
                w.WriteLine($"{Span} a = {Whole("t", trace.BackwardA)};");
                w.WriteLine($"{Span} b = {Whole("t", trace.BackwardB)};");
                w.WriteLine($"{ReadOnlySpan} dy = gradient;");
                string dyName = "dy";
                for (int l = plan.Layers.Count - 1; l >= 0; l--)
                {
                    LayerPlan layerPlan = plan.Layers[l];
                    LayerSpec layer = layerPlan.Layer;
                    w.WriteLine($"// Layer {l}: {LayerEmitter.Describe(layer)}");
                    if (layer.HasDropout)
                    {
                        // The last layer has no dropout, so the gradient here is already in a scratch buffer.
                        string masked = dyName == "a" ? "b" : "a";
                        w.WriteLine($"{TypeRefs.DropoutMath}.Backward({Whole("t", trace.Mask[l])}, {dyName}.Slice(0, n * {layer.Outputs}), {masked}.Slice(0, n * {layer.Outputs}));");
                        dyName = masked;
                    }
                    string dzName = dyName;
                    if (!layer.Activation.IsLinear)
                    {
                        dzName = dyName == "a" ? "b" : "a";
                        string call = $"{layerPlan.ActivationBackwardMethod}({Whole("t", trace.Z[l])}, {Whole("t", trace.Y[l])}, {dyName}, {dzName}, n);";
                        if (l == plan.Layers.Count - 1)
                        {
                            w.WriteLine($"if (gradientIsForLogits) dy.CopyTo({dzName});");
                            w.WriteLine($"else {call}");
                        }
                        else
                        {
                            w.WriteLine(call);
                        }
                    }
                    if (layerPlan.IsDense)
                    {
                        string dxName = dzName == "a" ? "b" : "a";
                        string dx = l == 0 ? "inputGradient" : $"{dxName}.Slice(0, n * {layer.Inputs})";
                        w.WriteLine($"{layerPlan.DenseBackwardMethod}(w, {Whole("t", trace.InputOf(l))}, {dzName}, g, {dx}, n);");
                        dyName = dxName;
                    }
                    else if (layerPlan.IsAffine)
                    {
                        // A fixed map: no parameter gradient, only dx = dy * scale.
                        string dxName = dzName == "a" ? "b" : "a";
                        if (l == 0) w.WriteLine($"if (!inputGradient.IsEmpty) {layerPlan.AffineBackward("st", dzName, "inputGradient", "n")}");
                        else w.WriteLine(layerPlan.AffineBackward("st", dzName, $"{dxName}", "n"));
                        dyName = dxName;
                    }
                    else
                    {
                        if (l == 0) w.WriteLine($"if (!inputGradient.IsEmpty) {dzName}.Slice(0, n * {spec.InputSize}).CopyTo(inputGradient);");
                        dyName = dzName;
                    }
                }
                if (spec.InputDropout > 0f)
                {
                    w.WriteLine($"if (!inputGradient.IsEmpty) {TypeRefs.DropoutMath}.Backward({Whole("t", trace.InputMask)}, inputGradient, inputGradient);");
                }
            }
        }
    }
}
