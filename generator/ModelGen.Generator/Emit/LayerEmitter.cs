using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.Literals;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Writes the per-layer methods. The code shape is chosen from the layer's sizes:
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
    /// has one generic body, <c>LayerN&lt;TActivation&gt;</c>, for both (<see cref="IsGeneric"/>); other layers have a
    /// <c>LayerNLinear</c> form, which the activated form calls when the activation is a separate pass anyway.</item>
    /// </list>
    /// Method sizes do not grow with the layer beyond <see cref="UnrollFmas"/> unrolled statements per tile, so every
    /// method stays far below RyuJIT's MinOpts limits (60,000 IL bytes, 20,000 instructions, 2,000 blocks, 2,000 locals).
    /// </summary>
    internal static class LayerEmitter
    {
        /// <summary>Samples per call of the batch forms.</summary>
        public const int BatchSamples = 4;

        /// <summary>Accumulator vectors per tile for one sample, and for the batch form.</summary>
        public const int TileVectors = 8, TileVectorsBatch = 4;

        /// <summary>
        /// Accumulator vectors per tile for one sample on Vector512 layers of at least this many vectors (256 units):
        /// AVX-512 has 32 registers, and a tile twice as wide streams each kernel row in 1 KB runs instead of 512 bytes.
        /// </summary>
        public const int TileVectorsWide = 16;

        /// <summary>
        /// Samples per call of the wide batch form (<c>x8</c>), written for models that run batches layer-major: 8 samples
        /// times 2 vectors per tile load each weight vector once for 8 samples, halving the cache traffic of the <c>x4</c> form
        /// on layers whose weights come from L2.
        /// </summary>
        public const int WideBatchSamples = 8, TileVectorsWideBatch = 2;

        /// <summary>Largest number of multiply-add statements a tile writes out without a loop.</summary>
        public const int UnrollFmas = 192;

        /// <summary>Largest number of multiply-adds of an unrolled scalar layer (1 to 3 units).</summary>
        public const int UnrollScalarTerms = 512;

        private const string Span = TypeRefs.Span;
        private const string ReadOnlySpan = TypeRefs.ReadOnlySpan;
        private const string Unsafe = TypeRefs.Unsafe;
        private const string MemoryMarshal = TypeRefs.MemoryMarshal;

        /// <summary>The method name stem of layer <paramref name="index"/>.</summary>
        public static string Name(int index) => "Layer" + Int(index);

        /// <summary>One-line description: <c>Dense 4 -> 16, relu</c>.</summary>
        public static string Describe(LayerSpec layer) => (layer.Kind == LayerKind.Dense
            ? $"Dense {layer.Inputs} -> {layer.Units}{(layer.UseBias ? "" : " (no bias)")}, {ActivationEmitter.Describe(layer.Activation)}"
            : $"Activation {ActivationEmitter.Describe(layer.Activation)} over {layer.Inputs}")
            + (layer.HasDropout ? $", then dropout {Number(layer.DropoutRate)} in training" : "");

        /// <summary>Layers with at most this many kernel entries are inlined into their caller, so small models run as one method.</summary>
        public const int InlineLimit = 2048;

        /// <summary>True when the layer's methods are small enough to inline (no call, no span passing per layer).</summary>
        public static bool IsSmall(LayerSpec layer) => (long)layer.Inputs * layer.Units <= InlineLimit;

        /// <summary>True when the dense layer is written as scalar code (fewer units than the narrowest vector).</summary>
        public static bool IsScalar(LayerSpec layer) => layer.Units < 4;

        // ---------------------------------------------------------------------------------------------------------
        // Forward
        // ---------------------------------------------------------------------------------------------------------

        /// <summary>
        /// Writes the forward methods of layer <paramref name="index"/>: for Dense, <c>LayerN</c>, <c>LayerNx4</c> and, in
        /// layer-major models, <c>LayerNx8</c> (activation applied). Training also needs the values before a non-linear
        /// activation: generic layers get them from the same body (<c>LayerN&lt;LinearActivation&gt;</c>, see
        /// <see cref="IsGeneric"/>), the others from <c>LayerNLinear</c> and <c>LayerNLinearx4</c>. Every non-linear layer
        /// also gets <c>LayerNActivate</c>. Callers name the methods through <see cref="ForwardMethod"/>.
        /// </summary>
        /// <param name="w">The writer.</param>
        /// <param name="layer">The layer.</param>
        /// <param name="index">Its index.</param>
        /// <param name="wideBatch">True to also write the <c>x8</c> form (layer-major models).</param>
        /// <param name="cancellationToken">The generator's token.</param>
        public static void WriteForward(SourceWriter w, LayerSpec layer, int index, bool wideBatch, CancellationToken cancellationToken)
        {
            string name = Name(index);
            if (layer.Kind == LayerKind.Dense)
            {
                string where = $"Kernel [{layer.Inputs} x {layer.Units}] at {layer.KernelOffset}" + (layer.UseBias ? $", bias at {layer.BiasOffset}" : "");
                string shape = IsScalar(layer) ? "scalar" : "vector tiles";
                if (IsGeneric(layer)) WriteActivationStruct(w, layer, index);
                foreach (bool linearOnly in layer.Activation.IsLinear || IsGeneric(layer) ? new[] { false } : new[] { false, true })
                {
                    ActivationSpec activation = linearOnly ? ActivationSpec.Linear : layer.Activation;
                    string output = linearOnly ? "z" : "y";
                    string stem = linearOnly ? name + "Linear" : name;
                    foreach (int samples in wideBatch && !linearOnly ? new[] { 1, BatchSamples, WideBatchSamples } : new[] { 1, BatchSamples })
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        string suffix = samples == 1 ? "" : "x" + samples;
                        string what = linearOnly ? $"values before the {ActivationEmitter.Describe(layer.Activation)} activation" : Describe(layer);
                        bool generic = IsGeneric(layer) && samples != WideBatchSamples;
                        if (generic) what += $" ({name}Activation applies it; LinearActivation gives the values before it, for training)";
                        w.WriteLine($"/// <summary>Layer {index}: {what}, {(samples == 1 ? "one sample" : samples + " samples back to back")}. {where}; {shape}.</summary>");
                        if (IsSmall(layer)) w.WriteLine(TypeRefs.AggressiveInlining);
                        string signature = generic
                            ? $"private static void {stem}{suffix}<TActivation>({ReadOnlySpan} w, {ReadOnlySpan} x, {Span} {output}) where TActivation : struct, {TypeRefs.IVectorActivation}"
                            : $"private static void {stem}{suffix}({ReadOnlySpan} w, {ReadOnlySpan} x, {Span} {output})";
                        using (w.Braces(signature))
                        {
                            if (generic)
                            {
                                WriteDenseForward(w, layer, ActivationSpec.Linear, output, samples, cancellationToken, "TActivation.Apply");
                            }
                            else if (!linearOnly && samples != WideBatchSamples && ReusesLinearForm(layer))
                            {
                                // The activation runs as a pass after the tiles anyway: the tiles are the Linear form's.
                                w.WriteLine($"{ForwardMethod(layer, index, samples, activated: false)}(w, x, y);");
                                WriteActivationPass(w, layer.Activation, "y", "y", layer.Units, Int(samples));
                            }
                            else
                            {
                                WriteDenseForward(w, layer, activation, output, samples, cancellationToken);
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
                using (w.Braces($"private static void {name}Activate({ReadOnlySpan} z, {Span} y, int count)"))
                {
                    WriteActivationPass(w, layer.Activation, "z", "y", width, "count");
                }
            }
        }

        /// <summary>
        /// True when the layer's one-sample and 4-sample forms are generic over the activation: a vector-tile layer whose
        /// activation fuses into its stores. <c>LayerN&lt;LayerNActivation&gt;</c> is the forward form and
        /// <c>LayerN&lt;LinearActivation&gt;</c> the training form (values before the activation), from one body.
        /// </summary>
        public static bool IsGeneric(LayerSpec layer) =>
            layer.Kind == LayerKind.Dense && !IsScalar(layer) && !layer.Activation.IsLinear && ActivationEmitter.HasVectorForm(layer.Activation);

        /// <summary>
        /// The method a caller names for layer <paramref name="index"/> on <paramref name="samples"/> samples: with the
        /// activation applied (<paramref name="activated"/>) or the values before it.
        /// </summary>
        public static string ForwardMethod(LayerSpec layer, int index, int samples, bool activated)
        {
            string suffix = samples == 1 ? "" : "x" + Int(samples);
            if (IsGeneric(layer) && samples != WideBatchSamples)
            {
                return Name(index) + suffix + "<" + (activated ? Name(index) + "Activation" : TypeRefs.LinearActivation) + ">";
            }
            return Name(index) + (activated || layer.Activation.IsLinear ? "" : "Linear") + suffix;
        }

        // The struct that carries a generic layer's activation into its stores, on each vector width.
        private static void WriteActivationStruct(SourceWriter w, LayerSpec layer, int index)
        {
            w.WriteLine($"/// <summary>Layer {index}'s {ActivationEmitter.Describe(layer.Activation)}, lane-wise, for the stores of its generic forms.</summary>");
            using (w.Braces($"private readonly struct {Name(index)}Activation : {TypeRefs.IVectorActivation}"))
            {
                foreach (int bits in new[] { 512, 256, 128 })
                {
                    string V = TypeRefs.Vector(bits);
                    w.WriteLine(TypeRefs.AggressiveInlining);
                    w.WriteLine($"public static {V}<float> Apply({V}<float> v) => {ActivationEmitter.VectorForward(layer.Activation, "v", bits)};");
                }
            }
            w.WriteLine();
        }

        /// <summary>
        /// True when the fused forward form of a vector-tile layer would be its Linear form plus an activation pass (the
        /// activation has no vector form to fuse into the stores: softmax, gelu, ...): then it calls the Linear form instead of
        /// repeating its tiles, which keeps the generated code, and the build, smaller.
        /// </summary>
        private static bool ReusesLinearForm(LayerSpec layer) =>
            !IsScalar(layer) && !layer.Activation.IsLinear && !ActivationEmitter.HasVectorForm(layer.Activation);

        /// <summary>Vector columns of a layer on one tier: the lane count and each vector's first unit.</summary>
        private readonly struct Columns
        {
            public Columns(int bits, int[] offsets, bool overlap)
            {
                Bits = bits;
                Offsets = offsets;
                Overlap = overlap;
            }

            public int Bits { get; }
            public int[] Offsets { get; }
            public bool Overlap { get; }
            public int Lanes => Bits / 32;
        }

        /// <summary>
        /// The widest vectors (at most <paramref name="maxBits"/>) whose lanes fit <paramref name="units"/>, one per
        /// <c>lanes</c> units; with <paramref name="overlap"/>, a last vector ending at the last unit covers the remainder.
        /// Without it the remainder is left to scalar code (gradients must not be added twice).
        /// </summary>
        private static Columns Plan(int units, int maxBits, bool overlap)
        {
            for (int bits = maxBits; bits >= 128; bits /= 2)
            {
                int lanes = bits / 32;
                if (units < lanes) continue;
                var offsets = new List<int>();
                for (int k = 0; k < units / lanes; k++) offsets.Add(k * lanes);
                bool overlapped = overlap && units % lanes != 0;
                if (overlapped) offsets.Add(units - lanes);
                return new Columns(bits, offsets.ToArray(), overlapped);
            }
            return new Columns(128, Array.Empty<int>(), false);
        }

        private static void WriteDenseForward(SourceWriter w, LayerSpec layer, ActivationSpec activation, string output, int samples, CancellationToken cancellationToken, string? apply = null)
        {
            bool vectorWise = ActivationCatalog.IsVectorWise(activation.Kind);
            if (IsScalar(layer))
            {
                bool inline = activation.Kind is Activation.Softmax or Activation.LogSoftmax && (long)layer.Inputs * layer.Units * samples <= UnrollScalarTerms;
                WriteScalarDense(w, layer, vectorWise ? ActivationSpec.Linear : activation, output, samples, inline ? activation : default);
                if (inline) return;
            }
            else
            {
                bool vectorActivation = ActivationEmitter.HasVectorForm(activation);
                w.WriteLine($"ref float wr = ref {MemoryMarshal}.GetReference(w);");
                w.WriteLine($"ref float xr = ref {MemoryMarshal}.GetReference(x);");
                w.WriteLine($"ref float yr = ref {MemoryMarshal}.GetReference({output});");
                WriteTiers(w, (bits, w) =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    WriteTiles(w, layer, vectorActivation ? activation : ActivationSpec.Linear, Plan(layer.Units, bits, overlap: true), samples, apply);
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
        private static void WriteTiles(SourceWriter w, LayerSpec layer, ActivationSpec activation, Columns columns, int samples, string? apply)
        {
            int perTile = samples == 1 ? (columns.Bits == 512 && columns.Offsets.Length >= TileVectorsWide ? TileVectorsWide : TileVectors)
                : samples == WideBatchSamples ? TileVectorsWideBatch : TileVectorsBatch;
            int lanes = columns.Lanes;
            int regular = columns.Offsets.Length - (columns.Overlap ? 1 : 0);
            int fullTiles = regular / perTile;
            int stride = perTile * lanes;
            if (fullTiles >= 2)
            {
                using (w.Braces($"for (int j = 0; j < {fullTiles * stride}; j += {stride})"))
                {
                    WriteTile(w, layer, activation, columns.Bits, Sequence(0, perTile, lanes), "j", samples, apply);
                }
            }
            else if (fullTiles == 1)
            {
                WriteTile(w, layer, activation, columns.Bits, Sequence(0, perTile, lanes), null, samples, apply);
            }
            var rest = new List<int>(Sequence(fullTiles * stride, regular - fullTiles * perTile, lanes));
            if (columns.Overlap) rest.Add(columns.Offsets[columns.Offsets.Length - 1]);
            for (int start = 0; start < rest.Count; start += perTile)
            {
                WriteTile(w, layer, activation, columns.Bits, rest.GetRange(start, Math.Min(perTile, rest.Count - start)).ToArray(), null, samples, apply);
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

        private static void WriteTile(SourceWriter w, LayerSpec layer, ActivationSpec activation, int bits, int[] offsets, string? j, int samples, string? apply)
        {
            string V = TypeRefs.Vector(bits);
            int count = offsets.Length, inputs = layer.Inputs, units = layer.Units;
            int splits = samples == 1 ? Math.Min(inputs, Math.Max(1, Math.Min(4, TileVectors / count))) : 1;
            bool unroll = inputs * count * samples <= UnrollFmas;
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
                                : $"{V}<float>.Zero";
                            w.WriteLine($"{V}<float> {Acc(s, v, p)} = {init};");
                        }
                    }
                }
                for (int s = 0; s < samples; s++) w.WriteLine($"{V}<float> x{s};");
                if (samples > 1) w.WriteLine($"{V}<float> k;");

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

                for (int s = 0; s < samples; s++)
                {
                    for (int v = 0; v < count; v++)
                    {
                        string sum = Acc(s, v, 0);
                        if (splits == 2) sum = $"{Acc(s, v, 0)} + {Acc(s, v, 1)}";
                        else if (splits == 3) sum = $"({Acc(s, v, 0)} + {Acc(s, v, 1)}) + {Acc(s, v, 2)}";
                        else if (splits == 4) sum = $"({Acc(s, v, 0)} + {Acc(s, v, 1)}) + ({Acc(s, v, 2)} + {Acc(s, v, 3)})";
                        string value = apply is not null ? $"{apply}({sum})"
                            : activation.IsLinear ? sum : ActivationEmitter.VectorForward(activation, splits > 1 ? $"({sum})" : sum, bits);
                        w.WriteLine($"{V}.StoreUnsafe({value}, ref yr, (nuint)({Offset(s * units + offsets[v], j)}));");
                    }
                }
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
        private static void WriteScalarDense(SourceWriter w, LayerSpec layer, ActivationSpec activation, string output, int samples, ActivationSpec softmax = default)
        {
            bool inlineSoftmax = softmax.Kind is Activation.Softmax or Activation.LogSoftmax;
            int inputs = layer.Inputs, units = layer.Units;
            int chains = inputs >= 8 ? 4 : 1;
            if ((long)inputs * units * samples <= UnrollScalarTerms)
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
            w.WriteLine($"float c{s} = m{s} >= -80f && m{s} <= 80f ? 0f : m{s};");
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

        /// <summary>Writes the three hardware tiers around <paramref name="body"/> (called with 512, 256 and 128).</summary>
        /// <remarks>
        /// Tiers whose code comes out the same are written once: a layer of 8 to 15 units uses Vector256 on the Vector512
        /// tier too, and one of 4 to 7 units the same Vector128 code on all three. The compiler then has a third or two
        /// thirds less to bind and emit; the JIT keeps one tier either way.
        /// </remarks>
        public static void WriteTiers(SourceWriter w, Action<int, SourceWriter> body)
        {
            string Render(int bits)
            {
                SourceWriter tier = w.ForBody();
                body.Invoke(bits, tier);
                return tier.ToString();
            }
            string b512 = Render(512), b256 = Render(256), b128 = Render(128);
            string v512 = $"{TypeRefs.Vector(512)}.IsHardwareAccelerated", v256 = $"{TypeRefs.Vector(256)}.IsHardwareAccelerated && {TypeRefs.Fma}.IsSupported";
            if (b512 == b256 && b256 == b128)
            {
                w.WriteLine("// The same code on every hardware tier.");
                w.WriteBlock(null, b128);
            }
            else if (b512 == b256)
            {
                w.WriteBlock($"if ({v512} || ({v256}))", b256);
                w.WriteBlock("else", b128);
            }
            else if (b256 == b128)
            {
                w.WriteBlock($"if ({v512})", b512);
                w.WriteBlock("else", b128);
            }
            else
            {
                w.WriteBlock($"if ({v512})", b512);
                w.WriteBlock($"else if ({v256})", b256);
                w.WriteBlock("else", b128);
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
            w.WriteLine("int j = 0;");
            if (ActivationEmitter.HasVectorForm(activation))
            {
                w.WriteLine($"ref float zr = ref {MemoryMarshal}.GetReference({input});");
                w.WriteLine($"ref float yr = ref {MemoryMarshal}.GetReference({output});");
                bool firstTier = true;
                foreach (int bits in new[] { 512, 256, 128 })
                {
                    string V = TypeRefs.Vector(bits);
                    int lanes = bits / 32;
                    w.WriteLine($"{(firstTier ? "if" : "else if")} ({V}.IsHardwareAccelerated)");
                    firstTier = false;
                    using (w.Braces())
                    {
                        using (w.Braces($"for (; j <= {total} - {lanes}; j += {lanes})"))
                        {
                            w.WriteLine($"{V}<float> v = {V}.LoadUnsafe(ref zr, (nuint)j);");
                            w.WriteLine($"{V}.StoreUnsafe({ActivationEmitter.VectorForward(activation, "v", bits)}, ref yr, (nuint)j);");
                        }
                    }
                }
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
        /// Writes the backward methods of layer <paramref name="index"/> over a whole batch: <c>LayerNActivationBackward</c>
        /// (dz from dy) when the activation is not linear, and <c>LayerNDenseBackward</c> (kernel, bias and input gradients)
        /// for dense layers.
        /// </summary>
        public static void WriteBackward(SourceWriter w, LayerSpec layer, int index, CancellationToken cancellationToken)
        {
            string name = Name(index);
            int width = layer.PreActivationWidth;
            if (!layer.Activation.IsLinear)
            {
                w.WriteLine($"/// <summary>Layer {index}: gradient before the {ActivationEmitter.Describe(layer.Activation)} activation from the gradient after it, for <paramref name=\"count\"/> samples.</summary>");
                using (w.Braces($"private static void {name}ActivationBackward({ReadOnlySpan} z, {ReadOnlySpan} y, {ReadOnlySpan} dy, {Span} dz, int count)"))
                {
                    WriteActivationBackward(w, layer);
                }
                w.WriteLine();
            }
            if (layer.Kind != LayerKind.Dense) return;
            cancellationToken.ThrowIfCancellationRequested();
            w.WriteLine($"/// <summary>Layer {index}: adds x^T dz to the kernel gradient and the column sums of dz to the bias gradient; sets dx = dz W^T unless dx is empty. x, dz and dx hold <paramref name=\"count\"/> samples.</summary>");
            using (w.Braces($"private static void {name}DenseBackward({ReadOnlySpan} w, {ReadOnlySpan} x, {ReadOnlySpan} dz, {Span} g, {Span} dx, int count)"))
            {
                WriteDenseBackward(w, layer, cancellationToken);
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
                bool firstTier = true;
                foreach (int bits in new[] { 512, 256, 128 })
                {
                    string V = TypeRefs.Vector(bits);
                    w.WriteLine($"{(firstTier ? "if" : "else if")} ({V}.IsHardwareAccelerated)");
                    firstTier = false;
                    using (w.Braces())
                    {
                        using (w.Braces($"for (; j <= count * {width} - {bits / 32}; j += {bits / 32})"))
                        {
                            w.WriteLine($"{V}<float> zv = {V}.LoadUnsafe(ref zr, (nuint)j), yv = {V}.LoadUnsafe(ref yr, (nuint)j);");
                            w.WriteLine($"{V}.StoreUnsafe({V}.LoadUnsafe(ref dyr, (nuint)j) * {ActivationEmitter.VectorDerivative(activation, "zv", "yv", bits)}, ref dzr, (nuint)j);");
                        }
                    }
                }
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
            using (w.Braces())
            {
                for (int r = 0; r < rows; r++)
                {
                    for (int v = 0; v < offsets.Length; v++)
                    {
                        w.WriteLine($"{V}<float> g{r}{v} = {V}.LoadUnsafe(ref gRow, (nuint)({Offset(r * units + offsets[v], j)}));");
                    }
                }
                using (w.Braces("for (int s = 0; s < count; s++)"))
                {
                    for (int r = 0; r < rows; r++) w.WriteLine($"{V}<float> x{r} = {V}.Create({Unsafe}.Add(ref xr, s * {inputs} + i{(r == 0 ? "" : " + " + r)}));");
                    w.WriteLine($"ref float dzs = ref {Unsafe}.Add(ref dzr, s * {units});");
                    for (int v = 0; v < offsets.Length; v++)
                    {
                        w.WriteLine($"{V}<float> d{v} = {V}.LoadUnsafe(ref dzs, (nuint)({Offset(offsets[v], j)}));");
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
            int perTile = rows == 1 ? TileVectors : TileVectors / 2;
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
            int lanes = columns.Lanes;
            int vectors = columns.Offsets.Length;
            using (w.Braces())
            {
                for (int q = 0; q < samples; q++)
                {
                    for (int r = 0; r < rows; r++) w.WriteLine($"{V}<float> c{q}{r} = {V}<float>.Zero;");
                }
                void Body(string jExpr)
                {
                    for (int r = 0; r < rows; r++) w.WriteLine($"{V}<float> w{r} = {V}.LoadUnsafe(ref wRow, (nuint)({(r == 0 ? "" : r * units + " + ")}{jExpr}));");
                    for (int q = 0; q < samples; q++)
                    {
                        w.WriteLine($"{V}<float> z{q} = {V}.LoadUnsafe(ref dzs, (nuint)({(q == 0 ? "" : q * units + " + ")}{jExpr}));");
                        for (int r = 0; r < rows; r++) w.WriteLine($"c{q}{r} = {MultiplyAdd(columns.Bits, "w" + r, "z" + q, $"c{q}{r}")};");
                    }
                }
                if (vectors > 4)
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
                        w.WriteLine($"{Unsafe}.Add(ref dxr, (s + {q}) * {inputs} + i{(r == 0 ? "" : " + " + r)}) = {sum};");
                    }
                }
            }
        }

        private static void WriteDenseBackward(SourceWriter w, LayerSpec layer, CancellationToken cancellationToken)
        {
            int inputs = layer.Inputs, units = layer.Units;
            string kernel = layer.KernelOffset == 0 ? "" : layer.KernelOffset + " + ";
            w.WriteLine($"ref float wr = ref {MemoryMarshal}.GetReference(w);");
            w.WriteLine($"ref float gr = ref {MemoryMarshal}.GetReference(g);");
            w.WriteLine($"ref float xr = ref {MemoryMarshal}.GetReference(x);");
            w.WriteLine($"ref float dzr = ref {MemoryMarshal}.GetReference(dz);");
            w.WriteLine("bool wantDx = !dx.IsEmpty;");
            WriteTiers(w, (bits, w) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                string V = TypeRefs.Vector(bits);
                Columns columns = Plan(units, bits, overlap: false);
                int lanes = columns.Lanes;
                int vectorEnd = columns.Offsets.Length * lanes;
                string CV = TypeRefs.Vector(columns.Bits);
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
                    foreach (int samples in new[] { 4, 1 })
                    {
                        using (w.Braces(samples == 4 ? "for (; s <= count - 4; s += 4)" : "for (; s < count; s++)"))
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
