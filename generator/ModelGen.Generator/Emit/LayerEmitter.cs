using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.Literals;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Writes the per-layer methods from a <see cref="LayerPlan"/>; the plan and <see cref="CodeShape"/> hold the choices:
    /// <list type="bullet">
    /// <item>Layers of 4 units or more become vector tiles on the widest hardware tier (Vector512, else Vector256 with FMA,
    /// else Vector128) whose lanes fit the units; a width that is not a multiple of the lanes ends with one overlapping
    /// vector instead of a scalar tail. Small tiles are fully unrolled with constant offsets; large ones loop over the
    /// inputs with a constant trip count. A tile with few vectors splits the inputs over several accumulators so that
    /// the FMA latency is hidden.</item>
    /// <item>Layers of 1 to 3 units are scalar: unrolled with four partial sums, or a constant-trip loop when large.</item>
    /// <item>Every dense layer also has an <c>x4</c> form that computes 4 samples at once, reusing each loaded weight
    /// vector for all four (register blocking).</item>
    /// <item>Training needs the values before the activation. A vector-tile layer whose activation fuses into its stores
    /// has one generic body, <c>LayerN&lt;TActivation&gt;</c>, for both (<see cref="LayerPlan.IsGeneric"/>); other layers have a
    /// <c>LayerNLinear</c> form, which the activated form calls when the activation is a separate pass anyway.</item>
    /// </list>
    /// Method sizes do not grow with the layer beyond <see cref="CodeShape.UnrollFmas"/> unrolled statements per tile, so every
    /// method stays far below RyuJIT's MinOpts limits (60,000 IL bytes, 20,000 instructions, 2,000 blocks, 2,000 locals).
    /// </summary>
    internal static class LayerEmitter
    {
        private const string Span = TypeRefs.Span;
        private const string ReadOnlySpan = TypeRefs.ReadOnlySpan;
        private const string Unsafe = TypeRefs.Unsafe;
        private const string MemoryMarshal = TypeRefs.MemoryMarshal;

        /// <summary>One-line description: <c>Dense 4 -> 16, relu</c>.</summary>
        public static string Describe(LayerSpec layer) => (layer.Kind == LayerKind.Dense
            ? $"Dense {layer.Inputs} -> {layer.Units}{(layer.UseBias ? "" : " (no bias)")}, {ActivationEmitter.Describe(layer.Activation)}"
            : layer.Kind == LayerKind.Affine
            ? $"{layer.Affine.ClassName} over {layer.Inputs} (fixed affine map x * scale + offset, folded at {layer.FoldedOffset})"
            : $"Activation {ActivationEmitter.Describe(layer.Activation)} over {layer.Inputs}")
            + (layer.HasDropout ? $", then dropout {Number(layer.DropoutRate)} in training" : "");

        // ---------------------------------------------------------------------------------------------------------
        // Forward
        // ---------------------------------------------------------------------------------------------------------

        /// <summary>
        /// Writes the forward methods of a layer: for Dense, <c>LayerN</c>, <c>LayerNx4</c> and, in layer-major models,
        /// <c>LayerNx8</c> (activation applied). Training also needs the values before a non-linear activation: generic layers
        /// get them from the same body (<c>LayerN&lt;LinearActivation&gt;</c>, see <see cref="LayerPlan.IsGeneric"/>), the
        /// others from <c>LayerNLinear</c> and <c>LayerNLinearx4</c>. Every non-linear layer also gets <c>LayerNActivate</c>.
        /// Callers name the methods through <see cref="LayerPlan.ForwardMethod"/>.
        /// </summary>
        /// <param name="w">The writer.</param>
        /// <param name="plan">The layer's plan.</param>
        /// <param name="cancellationToken">The generator's token.</param>
        public static void WriteForward(SourceWriter w, LayerPlan plan, CancellationToken cancellationToken)
        {
            LayerSpec layer = plan.Layer;
            int index = plan.Index;
            string name = plan.Name;
            if (plan.IsDense)
            {
                string where = $"Kernel [{layer.Inputs} x {layer.Units}] at {layer.KernelOffset}" + (layer.UseBias ? $", bias at {layer.BiasOffset}" : "");
                string shape = plan.IsScalar ? "scalar" : "vector tiles";
                if (plan.IsGeneric) WriteActivationStruct(w, plan);
                foreach (bool linearOnly in plan.HasLinearForms ? new[] { false, true } : new[] { false })
                {
                    ActivationSpec activation = linearOnly ? ActivationSpec.Linear : layer.Activation;
                    string output = linearOnly ? "z" : "y";
                    string stem = linearOnly ? name + "Linear" : name;
                    foreach (int samples in linearOnly ? plan.LinearSamples : plan.ForwardSamples)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        string suffix = LayerPlan.Suffix(samples);
                        string what = linearOnly ? $"values before the {ActivationEmitter.Describe(layer.Activation)} activation" : Describe(layer);
                        bool generic = plan.IsGenericForm(samples);
                        if (generic) what += $" ({plan.ActivationStruct} applies it; LinearActivation gives the values before it, for training)";
                        w.WriteLine($"/// <summary>Layer {index}: {what}, {(samples == 1 ? "one sample" : samples + " samples back to back")}. {where}; {shape}.</summary>");
                        if (plan.IsSmall) w.WriteLine(TypeRefs.AggressiveInlining);
                        string signature = generic
                            ? $"private static void {stem}{suffix}<TActivation>({ReadOnlySpan} w, {ReadOnlySpan} x, {Span} {output}) where TActivation : struct, {TypeRefs.IVectorActivation}"
                            : $"private static void {stem}{suffix}({ReadOnlySpan} w, {ReadOnlySpan} x, {Span} {output})";
                        using (w.Braces(signature))
                        {
                            if (generic)
                            {
                                WriteDenseForward(w, plan, ActivationSpec.Linear, output, samples, cancellationToken, "TActivation.Apply");
                            }
                            else if (!linearOnly && samples != CodeShape.WideBatchSamples && plan.ReusesLinearForm)
                            {
                                // The activation runs as a pass after the tiles anyway: the tiles are the Linear form's.
                                w.WriteLine($"{plan.ForwardMethod(samples, activated: false)}(w, x, y);");
                                WriteActivationPass(w, layer.Activation, "y", "y", layer.Units, Int(samples));
                            }
                            else
                            {
                                WriteDenseForward(w, plan, activation, output, samples, cancellationToken);
                            }
                        }
                        w.WriteLine();
                    }
                }
            }
            if (!layer.Activation.IsLinear)
            {
                int width = layer.PreActivationWidth;
                w.WriteLine($"/// <summary>Layer {index}: applies {ActivationEmitter.Describe(layer.Activation)} to <paramref name=\"count\"/> samples of {width} values.</summary>");
                using (w.Braces($"private static void {plan.ActivateMethod}({ReadOnlySpan} z, {Span} y, int count)"))
                {
                    WriteActivationPass(w, layer.Activation, "z", "y", width, "count");
                }
            }
        }

        // The struct that carries a generic layer's activation into its stores, on each vector width.
        private static void WriteActivationStruct(SourceWriter w, LayerPlan plan)
        {
            w.WriteLine($"/// <summary>Layer {plan.Index}'s {ActivationEmitter.Describe(plan.Layer.Activation)}, lane-wise, for the stores of its generic forms.</summary>");
            using (w.Braces($"private readonly struct {plan.ActivationStruct} : {TypeRefs.IVectorActivation}"))
            {
                foreach (int bits in Tiers.Bits)
                {
                    string V = TypeRefs.Vector(bits);
                    string F = TypeRefs.FloatVector(bits);
                    w.WriteLine(TypeRefs.AggressiveInlining);
                    w.WriteLine($"public static {F} Apply({F} v) => {ActivationEmitter.VectorForward(plan.Layer.Activation, "v", bits)};");
                }
            }
            w.WriteLine();
        }

        private static void WriteDenseForward(SourceWriter w, LayerPlan plan, ActivationSpec activation, string output, int samples, CancellationToken cancellationToken, string? apply = null)
        {
            LayerSpec layer = plan.Layer;
            bool vectorWise = ActivationCatalog.IsVectorWise(activation.Kind);
            if (plan.IsScalar)
            {
                bool inline = activation.Kind is Activation.Softmax or Activation.LogSoftmax && plan.UnrollsScalar(samples);
                WriteScalarDense(w, plan, vectorWise ? ActivationSpec.Linear : activation, output, samples, inline ? activation : default);
                if (inline) return;
            }
            else
            {
                bool vectorActivation = ActivationEmitter.HasVectorForm(activation);
                w.WriteLine($"ref float wr = ref {MemoryMarshal}.GetReference(w);");
                w.WriteLine($"ref float xr = ref {MemoryMarshal}.GetReference(x);");
                w.WriteLine($"ref float yr = ref {MemoryMarshal}.GetReference({output});");
                Tiers.Write(w, TierGuard.FusedMultiplyAdd, (bits, w) =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    WriteTiles(w, plan, vectorActivation ? activation : ActivationSpec.Linear, plan.Columns(bits, overlap: true), samples, apply);
                });
                if (!vectorActivation && !vectorWise)
                {
                    WriteActivationPass(w, activation, output, output, layer.Units, Int(samples));
                }
            }
            if (vectorWise)
            {
                WriteActivationPass(w, activation, output, output, layer.Units, Int(samples));
            }
        }

        // Groups the columns into tiles; regular tiles of a wide layer run in a loop over j.
        private static void WriteTiles(SourceWriter w, LayerPlan plan, ActivationSpec activation, Columns columns, int samples, string? apply)
        {
            int perTile = LayerPlan.TileVectors(columns, samples);
            int lanes = columns.Lanes;
            int regular = columns.Offsets.Length - (columns.Overlap ? 1 : 0);
            int fullTiles = regular / perTile;
            int stride = perTile * lanes;
            if (fullTiles >= 2)
            {
                using (w.Braces($"for (int j = 0; j < {fullTiles * stride}; j += {stride})"))
                {
                    WriteTile(w, plan, activation, columns.Bits, Sequence(0, perTile, lanes), "j", samples, apply);
                }
            }
            else if (fullTiles == 1)
            {
                WriteTile(w, plan, activation, columns.Bits, Sequence(0, perTile, lanes), null, samples, apply);
            }
            var rest = new List<int>(Sequence(fullTiles * stride, regular - fullTiles * perTile, lanes));
            if (columns.Overlap) rest.Add(columns.Offsets[columns.Offsets.Length - 1]);
            for (int start = 0; start < rest.Count; start += perTile)
            {
                WriteTile(w, plan, activation, columns.Bits, rest.GetRange(start, Math.Min(perTile, rest.Count - start)).ToArray(), null, samples, apply);
            }
        }

        private static int[] Sequence(int start, int count, int step)
        {
            var values = new int[Math.Max(0, count)];
            for (int k = 0; k < values.Length; k++) values[k] = start + k * step;
            return values;
        }

        // "123", "j", "j + 16": an element offset, optionally relative to the loop variable j.
        private static string Offset(int constant, string? j) =>
            j is null ? Int(constant) : constant == 0 ? j : $"{j} + {constant}";

        private static void WriteTile(SourceWriter w, LayerPlan plan, ActivationSpec activation, int bits, int[] offsets, string? j, int samples, string? apply)
        {
            LayerSpec layer = plan.Layer;
            string V = TypeRefs.Vector(bits);
            string F = TypeRefs.FloatVector(bits);
            int count = offsets.Length, inputs = layer.Inputs, units = layer.Units;
            int splits = plan.InputSplits(count, samples);
            bool unroll = plan.UnrollsTile(count, samples);
            string Acc(int s, int v, int p) => $"a{s}{v}{(splits > 1 ? "_" + p : "")}";
            string range = $"{Offset(offsets[0], j)}..{Offset(offsets[count - 1] + bits / 32, j)}";
            w.WriteLine($"// Units [{range}): {count} x Vector{bits}, {(samples == 1 ? "1 sample" : samples + " samples")}{(splits > 1 ? $", inputs split over {splits} accumulators" : "")}.");
            using (w.Braces())
            {
                for (int s = 0; s < samples; s++)
                {
                    for (int v = 0; v < count; v++)
                    {
                        for (int p = 0; p < splits; p++)
                        {
                            string init = p == 0 && layer.UseBias
                                ? $"{V}.LoadUnsafe(ref wr, (nuint)({Offset(layer.BiasOffset + offsets[v], j)}))"
                                : $"{F}.Zero";
                            w.WriteLine($"{F} {Acc(s, v, p)} = {init};");
                        }
                    }
                }
                for (int s = 0; s < samples; s++) w.WriteLine($"{F} x{s};");
                if (samples > 1) w.WriteLine($"{F} k;");

                // One input step for accumulator set p: broadcast each sample's input, then one multiply-add per vector and
                // sample (for several samples each weight vector is loaded once into k). `input(s)` and `load(v)` give the
                // addressing: constant offsets from xr and wr when unrolled, bumped refs xi and row inside the loop.
                void Step(int p, Func<int, string> input, Func<int, string> load)
                {
                    for (int s = 0; s < samples; s++) w.WriteLine($"x{s} = {V}.Create({input(s)});");
                    for (int v = 0; v < count; v++)
                    {
                        if (samples == 1)
                        {
                            w.WriteLine($"{Acc(0, v, p)} = {MultiplyAdd(bits, "x0", load(v), Acc(0, v, p))};");
                        }
                        else
                        {
                            w.WriteLine($"k = {load(v)};");
                            for (int s = 0; s < samples; s++) w.WriteLine($"{Acc(s, v, p)} = {MultiplyAdd(bits, "x" + s, "k", Acc(s, v, p))};");
                        }
                    }
                }

                // Constant addressing from xr and wr, for the unrolled steps and the remainder after the loop.
                void ConstantStep(int i, int p) => Step(p,
                    s => $"{Unsafe}.Add(ref xr, {s * inputs + i})",
                    v => $"{V}.LoadUnsafe(ref wr, (nuint)({Offset(layer.KernelOffset + i * units + offsets[v], j)}))");

                if (unroll)
                {
                    for (int i = 0; i < inputs; i++) ConstantStep(i, i % splits);
                }
                else
                {
                    int main = inputs - inputs % splits;
                    w.WriteLine($"ref float row = ref {Unsafe}.Add(ref wr, {Offset(layer.KernelOffset, j)});");
                    w.WriteLine("ref float xi = ref xr;");
                    using (w.Braces($"for (int i = 0; i < {main}; i += {splits})"))
                    {
                        for (int p = 0; p < splits; p++)
                        {
                            int pp = p;
                            Step(p,
                                s => s * inputs + pp == 0 ? "xi" : $"{Unsafe}.Add(ref xi, {s * inputs + pp})",
                                v => $"{V}.LoadUnsafe(ref row, {pp * units + offsets[v]})");
                        }
                        w.WriteLine($"row = ref {Unsafe}.Add(ref row, {splits * units});");
                        w.WriteLine($"xi = ref {Unsafe}.Add(ref xi, {splits});");
                    }
                    for (int i = main; i < inputs; i++) ConstantStep(i, 0);
                }

                // A costly activation (an exponential) with every accumulator still live spilled its polynomial to the
                // stack: store the sums first, then activate one vector at a time.
                // Not when the tile holds the layer's overlapping last vector: its lanes would be activated twice.
                bool disjoint = true;
                for (int v = 1; v < count; v++) disjoint &= offsets[v] >= offsets[v - 1] + bits / 32;
                bool twoPhase = ActivationEmitter.IsCostlyVectorForm(layer.Activation) && (apply is not null || !activation.IsLinear) && samples * count > 1 && disjoint;
                if (twoPhase) w.WriteLine("// The sums first, then the activation one vector at a time (with every sum live it spilled to the stack).");
                for (int s = 0; s < samples; s++)
                {
                    for (int v = 0; v < count; v++)
                    {
                        string sum = Acc(s, v, 0);
                        if (splits == 2) sum = $"{Acc(s, v, 0)} + {Acc(s, v, 1)}";
                        else if (splits == 3) sum = $"({Acc(s, v, 0)} + {Acc(s, v, 1)}) + {Acc(s, v, 2)}";
                        else if (splits == 4) sum = $"({Acc(s, v, 0)} + {Acc(s, v, 1)}) + ({Acc(s, v, 2)} + {Acc(s, v, 3)})";
                        string value = twoPhase ? sum : Activate(splits > 1 ? $"({sum})" : sum);
                        w.WriteLine($"{V}.StoreUnsafe({value}, ref yr, (nuint)({Offset(s * units + offsets[v], j)}));");
                    }
                }
                if (twoPhase)
                {
                    // One loop per sample where the tile's vectors are consecutive: the JIT keeps one copy of the activation
                    // and its constants out of the loop.
                    int lanes = bits / 32;
                    bool consecutive = true;
                    for (int v = 1; v < count; v++) consecutive &= offsets[v] == offsets[0] + v * lanes;
                    for (int s = 0; s < samples; s++)
                    {
                        if (consecutive && count > 1)
                        {
                            using (w.Braces($"for (int u = {Offset(s * units + offsets[0], j)}; u < {Offset(s * units + offsets[0] + count * lanes, j)}; u += {lanes})"))
                            {
                                w.WriteLine($"{V}.StoreUnsafe({Activate($"{V}.LoadUnsafe(ref yr, (nuint)u)")}, ref yr, (nuint)u);");
                            }
                            continue;
                        }
                        for (int v = 0; v < count; v++)
                        {
                            string at = $"(nuint)({Offset(s * units + offsets[v], j)})";
                            w.WriteLine($"{V}.StoreUnsafe({Activate($"{V}.LoadUnsafe(ref yr, {at})")}, ref yr, {at});");
                        }
                    }
                }

                string Activate(string value) => apply is not null ? $"{apply}({value})"
                    : activation.IsLinear ? value : ActivationEmitter.VectorForward(activation, value, bits);
            }
        }

        private static bool IsNumber(string text)
        {
            foreach (char c in text) if (c < '0' || c > '9') return false;
            return text.Length > 0;
        }

        // a * b + c: fused where the tier has FMA (512 and 256 require it), mul + add on the portable 128-bit tier.
        private static string MultiplyAdd(int bits, string a, string b, string c) =>
            bits == 128 ? $"{c} + {a} * {b}" : $"{TypeRefs.Vector(bits)}.FusedMultiplyAdd({a}, {b}, {c})";

        // 1 to 3 units: four partial sums per unit hide the add latency. A softmax or log_softmax over them is written
        // inline on the sums, which are still in registers.
        private static void WriteScalarDense(SourceWriter w, LayerPlan plan, ActivationSpec activation, string output, int samples, ActivationSpec softmax = default)
        {
            LayerSpec layer = plan.Layer;
            bool inlineSoftmax = softmax.Kind is Activation.Softmax or Activation.LogSoftmax;
            int inputs = layer.Inputs, units = layer.Units;
            int chains = plan.ScalarChains;
            if (plan.UnrollsScalar(samples))
            {
                w.WriteLine($"_ = x[{samples * inputs - 1}];");
                w.WriteLine($"_ = w[{(layer.UseBias ? layer.BiasOffset + units - 1 : layer.KernelOffset + inputs * units - 1)}];");
                w.WriteLine($"_ = {output}[{samples * units - 1}];");
                for (int s = 0; s < samples; s++)
                {
                    for (int j = 0; j < units; j++)
                    {
                        var parts = new string[chains];
                        for (int c = 0; c < chains; c++)
                        {
                            var terms = new List<string>();
                            for (int i = c; i < inputs; i += chains) terms.Add($"x[{s * inputs + i}] * w[{layer.KernelOffset + i * units + j}]");
                            parts[c] = terms.Count == 0 ? "0f" : string.Join(" + ", terms);
                        }
                        string bias = layer.UseBias ? $"w[{layer.BiasOffset + j}]" : "0f";
                        if (chains == 1)
                        {
                            w.WriteLine($"float s{s}{j} = {bias} + {parts[0]};");
                        }
                        else
                        {
                            for (int c = 0; c < chains; c++) w.WriteLine($"float p{s}{j}{c} = {parts[c]};");
                            w.WriteLine($"float s{s}{j} = {bias} + ((p{s}{j}0 + p{s}{j}1) + (p{s}{j}2 + p{s}{j}3));");
                        }
                        if (!inlineSoftmax) w.WriteLine($"{output}[{s * units + j}] = {ActivationEmitter.Forward(activation, $"s{s}{j}")};");
                    }
                    if (inlineSoftmax) WriteInlineSoftmax(w, softmax, output, s, units);
                }
                return;
            }
            w.WriteLine($"ref float wr = ref {MemoryMarshal}.GetReference(w);");
            w.WriteLine($"ref float xr = ref {MemoryMarshal}.GetReference(x);");
            using (w.Braces($"for (int s = 0; s < {samples}; s++)"))
            {
                w.WriteLine($"ref float xs = ref {Unsafe}.Add(ref xr, s * {inputs});");
                using (w.Braces($"for (int j = 0; j < {units}; j++)"))
                {
                    w.WriteLine("float p0 = 0f, p1 = 0f, p2 = 0f, p3 = 0f;");
                    w.WriteLine($"ref float column = ref {Unsafe}.Add(ref wr, {(layer.KernelOffset == 0 ? "" : layer.KernelOffset + " + ")}j);");
                    using (w.Braces($"for (int i = 0; i < {inputs - inputs % 4}; i += 4)"))
                    {
                        for (int c = 0; c < 4; c++)
                        {
                            string i = c == 0 ? "i" : $"i + {c}";
                            w.WriteLine($"p{c} += {Unsafe}.Add(ref xs, {i}) * {Unsafe}.Add(ref column, ({i}) * {units});");
                        }
                    }
                    for (int i = inputs - inputs % 4; i < inputs; i++) w.WriteLine($"p0 += {Unsafe}.Add(ref xs, {i}) * {Unsafe}.Add(ref column, {i * units});");
                    // Not "z": that is the output parameter of the LayerNLinear forms.
                    w.WriteLine($"float sum = {(layer.UseBias ? $"{Unsafe}.Add(ref wr, {layer.BiasOffset} + j)" : "0f")} + ((p0 + p1) + (p2 + p3));");
                    w.WriteLine($"{output}[s * {units} + j] = {ActivationEmitter.Forward(activation, "sum")};");
                }
            }
        }

        // softmax / log_softmax of sample s over the locals s{s}0..s{s}{units-1}, stable. When the largest value lies in
        // [-80, 80] the exponentials of the raw values can neither overflow nor all vanish, so the max is not subtracted
        // and the exponentials start without waiting for it (the same result to rounding); otherwise it is.
        private static void WriteInlineSoftmax(SourceWriter w, ActivationSpec softmax, string output, int s, int units)
        {
            string max = $"s{s}0";
            for (int j = 1; j < units; j++) max = $"{TypeRefs.MathF}.Max({max}, s{s}{j})";
            w.WriteLine($"float m{s} = {max};");
            string range = Float(CodeShape.SoftmaxShiftFreeRange);
            w.WriteLine($"float c{s} = m{s} >= -{range} && m{s} <= {range} ? 0f : m{s};");
            var sum = new List<string>();
            for (int j = 0; j < units; j++)
            {
                w.WriteLine($"float e{s}{j} = {TypeRefs.MathF}.Exp(s{s}{j} - c{s});");
                sum.Add($"e{s}{j}");
            }
            if (softmax.Kind == Activation.Softmax)
            {
                w.WriteLine($"float t{s} = {string.Join(" + ", sum)};");
                for (int j = 0; j < units; j++) w.WriteLine($"{output}[{s * units + j}] = e{s}{j} / t{s};");
            }
            else
            {
                w.WriteLine($"float l{s} = c{s} + {TypeRefs.MathF}.Log({string.Join(" + ", sum)});");
                for (int j = 0; j < units; j++) w.WriteLine($"{output}[{s * units + j}] = s{s}{j} - l{s};");
            }
        }

        /// <summary>
        /// Writes <c>output = activation(input)</c> over <paramref name="count"/> samples of <paramref name="width"/> values
        /// (in place when the names match): vectorized where the function has a vector form.
        /// </summary>
        public static void WriteActivationPass(SourceWriter w, ActivationSpec activation, string input, string output, int width, string count)
        {
            if (ActivationCatalog.IsVectorWise(activation.Kind))
            {
                (string forward, _) = ActivationEmitter.VectorWise(activation.Kind);
                int outWidth = ActivationCatalog.OutputWidth(activation.Kind, width);
                if (count == "1")
                {
                    w.WriteLine($"{forward}({input}.Slice(0, {width}), {output}.Slice(0, {outWidth}));");
                    return;
                }
                using (w.Braces($"for (int s = 0; s < {count}; s++)"))
                {
                    w.WriteLine($"{forward}({input}.Slice(s * {width}, {width}), {output}.Slice(s * {outWidth}, {outWidth}));");
                }
                return;
            }
            string total = count == "1" ? Int(width) : IsNumber(count) ? Int(int.Parse(count) * width) : $"{count} * {width}";
            // A block of its own: the tiles before it may loop over a `j` of their own.
            using var block = w.Braces();
            w.WriteLine("int j = 0;");
            if (ActivationEmitter.HasVectorForm(activation))
            {
                w.WriteLine($"ref float zr = ref {MemoryMarshal}.GetReference({input});");
                w.WriteLine($"ref float yr = ref {MemoryMarshal}.GetReference({output});");
                Tiers.Write(w, TierGuard.Accelerated, (bits, w) =>
                {
                    string V = TypeRefs.Vector(bits);
                    string F = TypeRefs.FloatVector(bits);
                    int lanes = bits / 32;
                    using (w.Braces($"for (; j <= {total} - {lanes}; j += {lanes})"))
                    {
                        w.WriteLine($"{F} v = {V}.LoadUnsafe(ref zr, (nuint)j);");
                        w.WriteLine($"{V}.StoreUnsafe({ActivationEmitter.VectorForward(activation, "v", bits)}, ref yr, (nuint)j);");
                    }
                });
            }
            using (w.Braces($"for (; j < {total}; j++)"))
            {
                w.WriteLine($"float v = {input}[j];");
                w.WriteLine($"{output}[j] = {ActivationEmitter.Forward(activation, "v")};");
            }
        }

        // ---------------------------------------------------------------------------------------------------------
        // Backward (whole batch, layer by layer)
        // ---------------------------------------------------------------------------------------------------------

        /// <summary>
        /// Writes the backward methods of a layer (<paramref name="plan"/>) over a whole batch: <c>LayerNActivationBackward</c>
        /// (dz from dy) when the activation is not linear, and <c>LayerNDenseBackward</c> (kernel, bias and input gradients)
        /// for dense layers.
        /// </summary>
        public static void WriteBackward(SourceWriter w, LayerPlan plan, CancellationToken cancellationToken)
        {
            LayerSpec layer = plan.Layer;
            int index = plan.Index;
            if (!layer.Activation.IsLinear)
            {
                w.WriteLine($"/// <summary>Layer {index}: gradient before the {ActivationEmitter.Describe(layer.Activation)} activation from the gradient after it, for <paramref name=\"count\"/> samples.</summary>");
                using (w.Braces($"private static void {plan.ActivationBackwardMethod}({ReadOnlySpan} z, {ReadOnlySpan} y, {ReadOnlySpan} dy, {Span} dz, int count)"))
                {
                    WriteActivationBackward(w, layer);
                }
                w.WriteLine();
            }
            if (!plan.IsDense) return;
            cancellationToken.ThrowIfCancellationRequested();
            w.WriteLine($"/// <summary>Layer {index}: adds x^T dz to the kernel gradient and the column sums of dz to the bias gradient; sets dx = dz W^T unless dx is empty. x, dz and dx hold <paramref name=\"count\"/> samples.</summary>");
            using (w.Braces($"private static void {plan.DenseBackwardMethod}({ReadOnlySpan} w, {ReadOnlySpan} x, {ReadOnlySpan} dz, {Span} g, {Span} dx, int count)"))
            {
                if (plan.UsesDenseKernels) WriteDenseBackwardCall(w, plan);
                else WriteDenseBackward(w, plan, cancellationToken);
            }
        }

        private static void WriteActivationBackward(SourceWriter w, LayerSpec layer)
        {
            ActivationSpec activation = layer.Activation;
            int width = layer.PreActivationWidth;
            if (ActivationCatalog.IsVectorWise(activation.Kind))
            {
                (_, string backward) = ActivationEmitter.VectorWise(activation.Kind);
                int outWidth = layer.Outputs;
                string saved = activation.Kind == Activation.Glu ? $"z.Slice(s * {width}, {width})" : $"y.Slice(s * {outWidth}, {outWidth})";
                using (w.Braces("for (int s = 0; s < count; s++)"))
                {
                    w.WriteLine($"{backward}({saved}, dy.Slice(s * {outWidth}, {outWidth}), dz.Slice(s * {width}, {width}));");
                }
                return;
            }
            w.WriteLine("int j = 0;");
            if (ActivationEmitter.HasVectorDerivative(activation))
            {
                w.WriteLine($"ref float zr = ref {MemoryMarshal}.GetReference(z);");
                w.WriteLine($"ref float yr = ref {MemoryMarshal}.GetReference(y);");
                w.WriteLine($"ref float dyr = ref {MemoryMarshal}.GetReference(dy);");
                w.WriteLine($"ref float dzr = ref {MemoryMarshal}.GetReference(dz);");
                Tiers.Write(w, TierGuard.Accelerated, (bits, w) =>
                {
                    string V = TypeRefs.Vector(bits);
                    string F = TypeRefs.FloatVector(bits);
                    using (w.Braces($"for (; j <= count * {width} - {bits / 32}; j += {bits / 32})"))
                    {
                        w.WriteLine($"{F} zv = {V}.LoadUnsafe(ref zr, (nuint)j), yv = {V}.LoadUnsafe(ref yr, (nuint)j);");
                        w.WriteLine($"{V}.StoreUnsafe({V}.LoadUnsafe(ref dyr, (nuint)j) * {ActivationEmitter.VectorDerivative(activation, "zv", "yv", bits)}, ref dzr, (nuint)j);");
                    }
                });
            }
            using (w.Braces($"for (; j < count * {width}; j++)"))
            {
                w.WriteLine("float zj = z[j], yj = y[j];");
                w.WriteLine($"dz[j] = dy[j] * ({ActivationEmitter.Derivative(activation, "zj", "yj")});");
            }
        }

        // One tile of the kernel gradient for `rows` consecutive rows (1 or 2) from i: the gradient vectors stay in registers
        // while every sample adds x[s, i + r] dz[s, :], so each loaded dz vector serves every row of the tile.
        private static void WriteGradientTile(SourceWriter w, int bits, int[] offsets, string? j, int inputs, int units, int rows)
        {
            string V = TypeRefs.Vector(bits);
            string F = TypeRefs.FloatVector(bits);
            using (w.Braces())
            {
                for (int r = 0; r < rows; r++)
                {
                    for (int v = 0; v < offsets.Length; v++)
                    {
                        w.WriteLine($"{F} g{r}{v} = {V}.LoadUnsafe(ref gRow, (nuint)({Offset(r * units + offsets[v], j)}));");
                    }
                }
                using (w.Braces("for (int s = 0; s < count; s++)"))
                {
                    for (int r = 0; r < rows; r++) w.WriteLine($"{F} x{r} = {V}.Create({Unsafe}.Add(ref xr, s * {inputs} + i{(r == 0 ? "" : " + " + r)}));");
                    w.WriteLine($"ref float dzs = ref {Unsafe}.Add(ref dzr, s * {units});");
                    for (int v = 0; v < offsets.Length; v++)
                    {
                        w.WriteLine($"{F} d{v} = {V}.LoadUnsafe(ref dzs, (nuint)({Offset(offsets[v], j)}));");
                        for (int r = 0; r < rows; r++) w.WriteLine($"g{r}{v} = {MultiplyAdd(bits, "x" + r, "d" + v, $"g{r}{v}")};");
                    }
                }
                for (int r = 0; r < rows; r++)
                {
                    for (int v = 0; v < offsets.Length; v++) w.WriteLine($"{V}.StoreUnsafe(g{r}{v}, ref gRow, (nuint)({Offset(r * units + offsets[v], j)}));");
                }
            }
        }

        // The kernel-gradient rows from i: tiles of at most 8 vectors (4 when two rows share a tile), a loop over tiles for
        // wide layers, and a scalar tail for units past the last full vector.
        private static void WriteGradientRows(SourceWriter w, Columns columns, int inputs, int units, int rows)
        {
            int lanes = columns.Lanes;
            int perTile = rows == 1 ? CodeShape.TileVectors : CodeShape.TileVectors / 2;
            int fullTiles = columns.Offsets.Length / perTile;
            int stride = perTile * lanes;
            if (fullTiles >= 2)
            {
                using (w.Braces($"for (int j = 0; j < {fullTiles * stride}; j += {stride})"))
                {
                    WriteGradientTile(w, columns.Bits, Sequence(0, perTile, lanes), "j", inputs, units, rows);
                }
            }
            else if (fullTiles == 1)
            {
                WriteGradientTile(w, columns.Bits, Sequence(0, perTile, lanes), null, inputs, units, rows);
            }
            int rest = columns.Offsets.Length - fullTiles * perTile;
            if (rest > 0) WriteGradientTile(w, columns.Bits, Sequence(fullTiles * stride, rest, lanes), null, inputs, units, rows);
            int vectorEnd = columns.Offsets.Length * lanes;
            if (vectorEnd < units)
            {
                using (w.Braces($"for (int j = {vectorEnd}; j < {units}; j++)"))
                {
                    for (int r = 0; r < rows; r++)
                    {
                        w.WriteLine($"float g{r} = {Unsafe}.Add(ref gRow, {(r == 0 ? "" : r * units + " + ")}j);");
                    }
                    using (w.Braces("for (int s = 0; s < count; s++)"))
                    {
                        w.WriteLine($"float d = {Unsafe}.Add(ref dzr, s * {units} + j);");
                        for (int r = 0; r < rows; r++) w.WriteLine($"g{r} += {Unsafe}.Add(ref xr, s * {inputs} + i{(r == 0 ? "" : " + " + r)}) * d;");
                    }
                    for (int r = 0; r < rows; r++) w.WriteLine($"{Unsafe}.Add(ref gRow, {(r == 0 ? "" : r * units + " + ")}j) = g{r};");
                }
            }
        }

        // dx[s, i] = W[i, :] . dz[s, :] for `samples` samples from s and two rows from i (or one): 2 x samples independent
        // accumulators, each weight vector loaded once for all samples.
        private static void WriteInputGradientBlock(SourceWriter w, Columns columns, int inputs, int units, int samples, int rows)
        {
            string V = TypeRefs.Vector(columns.Bits);
            string F = TypeRefs.FloatVector(columns.Bits);
            int lanes = columns.Lanes;
            int vectors = columns.Offsets.Length;
            using (w.Braces())
            {
                for (int q = 0; q < samples; q++)
                {
                    for (int r = 0; r < rows; r++) w.WriteLine($"{F} c{q}{r} = {F}.Zero;");
                }
                void Body(string jExpr)
                {
                    for (int r = 0; r < rows; r++) w.WriteLine($"{F} w{r} = {V}.LoadUnsafe(ref wRow, (nuint)({(r == 0 ? "" : r * units + " + ")}{jExpr}));");
                    for (int q = 0; q < samples; q++)
                    {
                        w.WriteLine($"{F} z{q} = {V}.LoadUnsafe(ref dzs, (nuint)({(q == 0 ? "" : q * units + " + ")}{jExpr}));");
                        for (int r = 0; r < rows; r++) w.WriteLine($"c{q}{r} = {MultiplyAdd(columns.Bits, "w" + r, "z" + q, $"c{q}{r}")};");
                    }
                }
                if (vectors > CodeShape.InputGradientUnrollVectors)
                {
                    using (w.Braces($"for (int j = 0; j < {vectors * lanes}; j += {lanes})")) Body("j");
                }
                else
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        using (w.Braces()) Body(Int(columns.Offsets[v]));
                    }
                }
                int vectorEnd = vectors * lanes;
                for (int q = 0; q < samples; q++)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        string sum = vectors > 0 ? $"{V}.Sum(c{q}{r})" : "0f";
                        if (vectorEnd < units)
                        {
                            w.WriteLine($"float t{q}{r} = {sum};");
                            using (w.Braces($"for (int j = {vectorEnd}; j < {units}; j++)"))
                            {
                                w.WriteLine($"t{q}{r} += {Unsafe}.Add(ref wRow, {(r == 0 ? "" : r * units + " + ")}j) * {Unsafe}.Add(ref dzs, {(q == 0 ? "" : q * units + " + ")}j);");
                            }
                            sum = $"t{q}{r}";
                        }
                        w.WriteLine($"{Unsafe}.Add(ref dxr, {(q == 0 ? "s" : $"(s + {q})")} * {inputs} + i{(r == 0 ? "" : " + " + r)}) = {sum};");
                    }
                }
            }
        }

        // The body of a layer that trains through the runtime's register-tiled kernels (LayerPlan.UsesDenseKernels).
        private static void WriteDenseBackwardCall(SourceWriter w, LayerPlan plan)
        {
            LayerSpec layer = plan.Layer;
            string sizes = $"count, {Int(layer.Inputs)}, {Int(layer.Units)}";
            w.WriteLine($"{TypeRefs.DenseKernels}.KernelGradient(x, dz, {plan.KernelSlice("g")}, {plan.BiasSlice("g")}, {sizes});");
            w.WriteLine($"if (!dx.IsEmpty) {TypeRefs.DenseKernels}.InputGradient(dz, {plan.KernelSlice("w")}, dx, {sizes});");
        }

        private static void WriteDenseBackward(SourceWriter w, LayerPlan plan, CancellationToken cancellationToken)
        {
            LayerSpec layer = plan.Layer;
            int inputs = layer.Inputs, units = layer.Units;
            string kernel = layer.KernelOffset == 0 ? "" : layer.KernelOffset + " + ";
            w.WriteLine($"ref float wr = ref {MemoryMarshal}.GetReference(w);");
            w.WriteLine($"ref float gr = ref {MemoryMarshal}.GetReference(g);");
            w.WriteLine($"ref float xr = ref {MemoryMarshal}.GetReference(x);");
            w.WriteLine($"ref float dzr = ref {MemoryMarshal}.GetReference(dz);");
            w.WriteLine("bool wantDx = !dx.IsEmpty;");
            Tiers.Write(w, TierGuard.FusedMultiplyAdd, (bits, w) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                Columns columns = plan.Columns(bits, overlap: false);
                int lanes = columns.Lanes;
                int vectorEnd = columns.Offsets.Length * lanes;
                // Kernel gradient, two rows at a time: each row's gradient vectors stay in registers while every sample adds to them.
                int pairs = inputs / 2 * 2;
                if (pairs > 0)
                {
                    using (w.Braces($"for (int i = 0; i < {pairs}; i += 2)"))
                    {
                        w.WriteLine($"ref float gRow = ref {Unsafe}.Add(ref gr, {kernel}i * {units});");
                        WriteGradientRows(w, columns, inputs, units, rows: 2);
                    }
                }
                if (pairs < inputs)
                {
                    using (w.Braces())
                    {
                        w.WriteLine($"const int i = {pairs};");
                        w.WriteLine($"ref float gRow = ref {Unsafe}.Add(ref gr, {kernel}i * {units});");
                        WriteGradientRows(w, columns, inputs, units, rows: 1);
                    }
                }
                // Input gradient dx = dz W^T: four samples and two rows at a time, so each weight row is streamed once per four samples.
                using (w.Braces("if (wantDx)"))
                {
                    w.WriteLine($"ref float dxr = ref {MemoryMarshal}.GetReference(dx);");
                    w.WriteLine("int s = 0;");
                    int block = CodeShape.InputGradientSamples;
                    foreach (int samples in new[] { block, 1 })
                    {
                        using (w.Braces(samples == 1 ? "for (; s < count; s++)" : $"for (; s <= count - {block}; s += {block})"))
                        {
                            w.WriteLine($"ref float dzs = ref {Unsafe}.Add(ref dzr, s * {units});");
                            if (pairs > 0)
                            {
                                using (w.Braces($"for (int i = 0; i < {pairs}; i += 2)"))
                                {
                                    w.WriteLine($"ref float wRow = ref {Unsafe}.Add(ref wr, {kernel}i * {units});");
                                    WriteInputGradientBlock(w, columns, inputs, units, samples, rows: 2);
                                }
                            }
                            if (pairs < inputs)
                            {
                                using (w.Braces())
                                {
                                    w.WriteLine($"const int i = {pairs};");
                                    w.WriteLine($"ref float wRow = ref {Unsafe}.Add(ref wr, {kernel}i * {units});");
                                    WriteInputGradientBlock(w, columns, inputs, units, samples, rows: 1);
                                }
                            }
                        }
                    }
                }
            });
            if (layer.UseBias)
            {
                // Bias gradient: column sums of dz.
                using (w.Braces($"for (int j = 0; j < {units}; j++)"))
                {
                    w.WriteLine("float sum = 0f;");
                    w.WriteLine($"for (int s = 0; s < count; s++) sum += {Unsafe}.Add(ref dzr, s * {units} + j);");
                    w.WriteLine($"{Unsafe}.Add(ref gr, {layer.BiasOffset} + j) += sum;");
                }
            }
        }
    }
}
