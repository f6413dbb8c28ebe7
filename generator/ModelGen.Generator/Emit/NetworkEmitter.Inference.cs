using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.Literals;
using N = ModelGen.Generator.Emit.GeneratedNames;

namespace ModelGen.Generator.Emit
{
    // Member group: inference. Forward, Predict (embedded weights) and the embedded weights themselves.
    internal static partial class NetworkEmitter
    {
        private static void WriteInference(SourceWriter w, NetworkPlan plan)
        {
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Computes n = <c>input.Length / InputSize</c> samples stored back to back; <paramref name=\"output\"/> receives");
            w.WriteLine("/// <c>n * OutputSize</c> floats. Allocation-free and thread-safe.");
            w.WriteLine("/// </summary>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A length is not what the model needs.</exception>");
            w.WriteLine(s_generatedCode);
            using (w.Braces($"public void {N.Forward}({ReadOnlySpan} input, {Span} output)"))
            {
                WriteForwardBody(w, plan, N.Parameters, N.AffineField);
            }
            w.WriteLine();

            if (!plan.Spec.HasWeights) return;
            w.WriteLine("/// <summary>");
            if (plan.CopiesWeights)
            {
                w.WriteLine($"/// <see cref=\"{N.Forward}\"/> with the embedded weights compiled in: no instance. The first call decodes them once into");
                w.WriteLine("/// an aligned buffer; later calls allocate nothing.");
            }
            else w.WriteLine($"/// <see cref=\"{N.Forward}\"/> with the embedded weights compiled in: no instance, no allocation, no start-up work.");
            w.WriteLine("/// Computes n = <c>input.Length / InputSize</c> samples stored back to back; <paramref name=\"output\"/> receives");
            w.WriteLine("/// <c>n * OutputSize</c> floats. Thread-safe.");
            w.WriteLine("/// </summary>");
            w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A length is not what the model needs.</exception>");
            w.WriteLine(s_generatedCode);
            using (w.Braces($"public static void {N.Predict}({ReadOnlySpan} input, {Span} output)"))
            {
                WriteForwardBody(w, plan, N.Weights, N.AffineConstants);
            }
            w.WriteLine();
        }

        /// <summary>
        /// The body of <c>Forward</c> (and of <c>Predict</c>): layer-major models first run chunks of 8-sample tiles; then
        /// 4 samples at a time through the whole network, then the rest one at a time.
        /// </summary>
        private static void WriteForwardBody(SourceWriter w, NetworkPlan plan, string weights, string affine)
        {
            NetworkSpec spec = plan.Spec;
            int layers = plan.Layers.Count;
            int scratch = plan.ForwardScratch;
            int chunk = plan.ChunkSamples;
            w.WriteLine("int n = input.Length / InputSize;");
            w.WriteLine("if (n == 0 || input.Length != n * InputSize || output.Length != n * OutputSize)");
            w.WriteLine($"    n = {TypeRefs.Shapes}.BatchSize(input.Length, InputSize, output.Length, OutputSize);");
            w.WriteLine($"{ReadOnlySpan} w = {weights};");
            if (spec.HasAffine) w.WriteLine($"{ReadOnlySpan} st = {affine};");
            int batch = CodeShape.BatchSamples;
            if (layers > 1)
            {
                w.WriteLine(plan.HeapScratch
                    ? $"{Span} scratch = {TypeRefs.Aligned}.Slice({N.ScratchField} ??= {TypeRefs.Aligned}.Allocate({scratch}, out _), {scratch});"
                    : $"{Span} scratch = {TypeRefs.Aligned}.Slice(stackalloc float[{scratch} + {TypeRefs.Aligned}.Slack], {scratch});");
                w.WriteLine($"{Span} a = scratch.Slice(0, {scratch / 2});");
                w.WriteLine($"{Span} b = scratch.Slice({scratch / 2}, {scratch / 2});");
            }
            w.WriteLine("int s = 0;");
            if (plan.LayerMajor)
            {
                int wide = CodeShape.WideBatchSamples;
                w.WriteLine($"// Layer by layer over chunks of up to {chunk} samples, {wide} at a time: each layer's weights stay in the cache for the whole chunk.");
                using (w.Braces($"while (s <= n - {wide})"))
                {
                    w.WriteLine($"int chunk = global::System.Math.Min(n - s, {chunk}) & ~{wide - 1};");
                    foreach (LayerPlan layer in plan.Layers)
                    {
                        int l = layer.Index;
                        int inWidth = l == 0 ? spec.InputSize : spec.Layers[l - 1].Outputs;
                        int outWidth = layer.Layer.Outputs;
                        string Source(string c) => l == 0 ? $"input.Slice({(c == "0" ? "s" : $"(s + {c})")} * {inWidth}" : $"{(l % 2 == 1 ? "a" : "b")}.Slice({c} * {inWidth}";
                        string Target(string c) => l == layers - 1 ? $"output.Slice({(c == "0" ? "s" : $"(s + {c})")} * {outWidth}" : $"{(l % 2 == 0 ? "a" : "b")}.Slice({c} * {outWidth}";
                        if (layer.ChunkRunsDenseKernels)
                        {
                            // The runtime's register-tiled kernel over the whole chunk (it packs large kernels strip by strip), then the
                            // activation in place.
                            string source = l == 0 ? $"input.Slice(s * {inWidth}, chunk * {inWidth})" : $"{(l % 2 == 1 ? "a" : "b")}.Slice(0, chunk * {inWidth})";
                            string target = l == layers - 1 ? $"output.Slice(s * {outWidth}, chunk * {outWidth})" : $"{(l % 2 == 0 ? "a" : "b")}.Slice(0, chunk * {outWidth})";
                            w.WriteLine($"{Span} y{l} = {target};");
                            w.WriteLine($"{TypeRefs.DenseKernels}.Forward({source}, {layer.KernelSlice("w")}, {layer.BiasSlice("w")}, y{l}, chunk, {inWidth}, {outWidth});");
                            if (!layer.Layer.Activation.IsLinear) w.WriteLine($"{layer.ActivateMethod}(y{l}, y{l}, chunk);");
                        }
                        else if (layer.IsDense)
                        {
                            w.WriteLine($"for (int c = 0; c < chunk; c += {wide}) {layer.ForwardMethod(wide, activated: true)}(w, {Source("c")}, {wide * inWidth}), {Target("c")}, {wide * outWidth}));");
                        }
                        else if (layer.IsAffine)
                        {
                            w.WriteLine(layer.AffineForward("st", $"{Source("0")}, chunk * {inWidth})", $"{Target("0")}, chunk * {outWidth})", "chunk"));
                        }
                        else
                        {
                            w.WriteLine($"{layer.ActivateMethod}({Source("0")}, chunk * {inWidth}), {Target("0")}, chunk * {outWidth}), chunk);");
                        }
                    }
                    w.WriteLine("s += chunk;");
                }
            }
            foreach (int samples in new[] { batch, 1 })
            {
                w.WriteLine(samples == 1 ? "// The remaining samples one at a time." : $"// {batch} samples at a time: each weight vector loaded once serves all {batch}.");
                using (w.Braces(samples == 1 ? "for (; s < n; s++)" : $"for (; s <= n - {batch}; s += {batch})"))
                {
                    string current = $"input.Slice(s * {spec.InputSize}, {samples * spec.InputSize})";
                    foreach (LayerPlan layer in plan.Layers)
                    {
                        int l = layer.Index;
                        string next = l == layers - 1 ? $"output.Slice(s * {spec.OutputSize}, {samples * spec.OutputSize})" : (l % 2 == 0 ? "a" : "b");
                        if (samples == 1 && layer.OneSampleRunsDenseKernels)
                        {
                            // The runtime's kernel reads this large kernel row by row, then the activation runs in place.
                            int inWidth = layer.Layer.Inputs, outWidth = layer.Layer.Units;
                            w.WriteLine($"// Layer {l}: DenseKernels reads the {Int(inWidth)} x {Int(outWidth)} kernel row by row{(layer.Layer.Activation.IsLinear ? "" : $", then {ActivationEmitter.Describe(layer.Layer.Activation)} in place")}.");
                            w.WriteLine($"{Span} y{l} = {(l == layers - 1 ? next : $"{next}.Slice(0, {outWidth})")};");
                            w.WriteLine($"{TypeRefs.DenseKernels}.Forward({current}, {layer.KernelSlice("w")}, {layer.BiasSlice("w")}, y{l}, 1, {inWidth}, {outWidth});");
                            if (!layer.Layer.Activation.IsLinear) w.WriteLine($"{layer.ActivateMethod}(y{l}, y{l}, 1);");
                            current = $"y{l}";
                            continue;
                        }
                        w.WriteLine(layer.IsDense
                            ? $"{layer.ForwardMethod(samples, activated: true)}(w, {current}, {next});"
                            : layer.IsAffine
                            ? layer.AffineForward("st", current, next, Int(samples))
                            : $"{layer.ActivateMethod}({current}, {next}, {samples});");
                        current = next;
                    }
                }
            }
        }

        /// <summary>
        /// The embedded weights. Up to <see cref="CodeShape.AlignedCopyThreshold"/> of them: float literals, a span over constant
        /// data. More: base64 text in one string literal, decoded once into the 64-byte aligned buffer that <c>Predict</c> reads.
        /// For mnist's 109,386 weights the compiler then spends about 0.05 s on them instead of 2.3 s (float literals) or 0.7 s
        /// (a UTF-8 literal, which it binds byte by byte), and the generator writes them in 3 ms instead of 45.
        /// </summary>
        private static void WriteWeights(SourceWriter w, NetworkPlan plan, CancellationToken cancellationToken)
        {
            NetworkSpec spec = plan.Spec;
            if (plan.CopiesWeights)
            {
                WriteWeightsBase64(w, spec, cancellationToken);
                return;
            }
            w.WriteLine($"/// <summary>The embedded parameters, in the layout of <see cref=\"{N.Parameters}\"/>; the span reads constant data in the assembly.</summary>");
            w.WriteLine(s_never);
            w.WriteLine($"private static {ReadOnlySpan} {N.Weights} => new float[{spec.Weights.Count}]");
            w.WriteLine("{");
            var line = new StringBuilder();
            for (int i = 0; i < spec.Weights.Count; i++)
            {
                if (i % CodeShape.WeightsPerLine == 0)
                {
                    if (line.Length > 0) w.WriteLine(line.ToString());
                    line.Clear().Append("    ");
                }
                else line.Append(' ');
                line.Append(Literals.Float(spec.Weights[i])).Append(',');
            }
            if (line.Length > 0) w.WriteLine(line.ToString());
            w.WriteLine("};");
        }

        private static void WriteWeightsBase64(SourceWriter w, NetworkSpec spec, CancellationToken cancellationToken)
        {
            w.WriteLine($"/// <summary>The embedded parameters, in the layout of <see cref=\"{N.Parameters}\"/>: the aligned copy of <see cref=\"{N.WeightsBase64}\"/>.</summary>");
            w.WriteLine(s_never);
            w.WriteLine($"private static {ReadOnlySpan} {N.Weights} => {TypeRefs.Aligned}.Slice({N.WeightsCopy}.Buffer, {N.ParameterCount});");
            w.WriteLine();
            w.WriteLine($"/// <summary>The {Int(spec.Weights.Count)} embedded parameters as little-endian float32 values in base64: a string literal in the assembly.</summary>");
            w.WriteLine(s_never);
            w.WriteLine($"private static string {N.WeightsBase64} => \"\"\"");
            byte[] bytes = new byte[4 * spec.Weights.Count];
            ReadOnlySpan<int> bits = MemoryMarshal.Cast<float, int>(spec.Weights.AsSpan());
            for (int i = 0; i < bits.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), bits[i]);
            cancellationToken.ThrowIfCancellationRequested();
            string text = Convert.ToBase64String(bytes);
            for (int i = 0; i < text.Length; i += CodeShape.Base64PerLine)
            {
                w.WriteLine(text.Substring(i, Math.Min(CodeShape.Base64PerLine, text.Length - i)));
            }
            w.WriteLine("\"\"\";");
            w.WriteLine();
            w.WriteLine("/// <summary>");
            w.WriteLine($"/// The embedded parameters decoded once, on first use, into a 64-byte aligned buffer: vector loads that straddle cache");
            w.WriteLine("/// lines slow large layers down by up to 1.7x.");
            w.WriteLine("/// </summary>");
            w.WriteLine(s_never);
            using (w.Braces($"private static class {N.WeightsCopy}"))
            {
                w.WriteLine("/// <summary>The pinned buffer; its aligned run starts at its first 64-byte boundary.</summary>");
                w.WriteLine($"public static readonly float[] Buffer = {TypeRefs.Aligned}.FromBase64({N.WeightsBase64}, {N.ParameterCount});");
            }
        }
    }
}
