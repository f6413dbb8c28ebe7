using System;
using System.Text;
using System.Threading;
using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.Literals;

namespace ModelGen.Generator.Emit
{
    /// <summary>How a dense layer's arithmetic is written.</summary>
    internal enum DenseShape
    {
        /// <summary>Every multiply-add written out with constant indices (small layers).</summary>
        Unrolled,
        /// <summary>Constant-trip loops over Vector512/Vector256/Vector128 tiles of units (large layers).</summary>
        VectorLoops,
    }

    /// <summary>
    /// Writes the per-layer methods: the inference form (activation fused), the trace form (pre-activation kept), and
    /// the backward pieces. Every method stays far below RyuJIT's MinOpts limits (60,000 IL bytes, 20,000
    /// instructions, 2,000 blocks, 2,000 locals): unrolled code is split into parts of at most
    /// <see cref="TermsPerPart"/> multiply-adds, and large layers use loops whose size does not grow with the layer.
    /// </summary>
    internal static class LayerEmitter
    {
        /// <summary>Dense layers with at most this many kernel entries, and few enough inputs and units, are unrolled.</summary>
        public const int UnrollLimit = 1024;

        /// <summary>Largest input or unit count of an unrolled layer (each becomes a local).</summary>
        public const int UnrollMaxSide = 128;

        /// <summary>Multiply-adds per unrolled method.</summary>
        public const int TermsPerPart = 512;

        /// <summary>Accumulator vectors per tile in the vector loops.</summary>
        public const int TileVectors = 8;

        private const string Span = TypeRefs.Span;
        private const string ReadOnlySpan = TypeRefs.ReadOnlySpan;
        private const string Unsafe = TypeRefs.Unsafe;
        private const string MemoryMarshal = TypeRefs.MemoryMarshal;

        /// <summary>The shape the generator picks for <paramref name="layer"/>.</summary>
        public static DenseShape ShapeOf(LayerSpec layer) =>
            (long)layer.Inputs * layer.Units <= UnrollLimit && layer.Inputs <= UnrollMaxSide && layer.Units <= UnrollMaxSide
                ? DenseShape.Unrolled
                : DenseShape.VectorLoops;

        /// <summary>The method name stem of layer <paramref name="index"/>.</summary>
        public static string Name(int index) => "Layer" + Int(index);

        /// <summary>One-line description: <c>Dense 4 -> 16, relu</c>.</summary>
        public static string Describe(LayerSpec layer) => layer.Kind == LayerKind.Dense
            ? $"Dense {layer.Inputs} -> {layer.Units}{(layer.UseBias ? "" : " (no bias)")}, {ActivationEmitter.Describe(layer.Activation)}"
            : $"Activation {ActivationEmitter.Describe(layer.Activation)} over {layer.Inputs}";

        // ---------------------------------------------------------------------------------------------------------
        // Forward
        // ---------------------------------------------------------------------------------------------------------

        /// <summary>Writes the forward methods of layer <paramref name="index"/>: <c>LayerN</c> and, when needed, <c>LayerNTrace</c>.</summary>
        public static void WriteForward(SourceWriter w, LayerSpec layer, int index, CancellationToken cancellationToken)
        {
            string name = Name(index);
            if (layer.Kind == LayerKind.Activation)
            {
                w.WriteLine($"/// <summary>Layer {index}: {Describe(layer)}.</summary>");
                using (w.Braces($"private static void {name}({ReadOnlySpan} x, {Span} y)"))
                {
                    WriteActivationPass(w, layer.Activation, "x", "y", layer.Inputs);
                }
                return;
            }

            DenseShape shape = ShapeOf(layer);
            string where = $"Kernel [{layer.Inputs} x {layer.Units}] at {layer.KernelOffset}" + (layer.UseBias ? $", bias at {layer.BiasOffset}" : "");
            w.WriteLine($"/// <summary>Layer {index}: {Describe(layer)}. {where}; {(shape == DenseShape.Unrolled ? "unrolled" : "vector loops")}.</summary>");
            using (w.Braces($"private static void {name}({ReadOnlySpan} w, {ReadOnlySpan} x, {Span} y)"))
            {
                WriteDense(w, layer, name, layer.Activation, cancellationToken);
            }

            if (!layer.Activation.IsLinear)
            {
                w.WriteLine();
                w.WriteLine($"/// <summary>Layer {index} for training: keeps the values before the activation in <paramref name=\"z\"/>.</summary>");
                using (w.Braces($"private static void {name}Trace({ReadOnlySpan} w, {ReadOnlySpan} x, {Span} z, {Span} y)"))
                {
                    WriteDense(w, layer, name + "Linear", ActivationSpec.Linear, cancellationToken);
                    WriteActivationPass(w, layer.Activation, "z", "y", layer.Units);
                }
            }

            // Parts of unrolled layers that were split.
            foreach (ActivationSpec activation in layer.Activation.IsLinear ? new[] { layer.Activation } : new[] { layer.Activation, ActivationSpec.Linear })
            {
                string partStem = activation.IsLinear && !layer.Activation.IsLinear ? name + "Linear" : name;
                if (shape != DenseShape.Unrolled || PartCount(layer) == 1) continue;
                int perPart = UnitsPerPart(layer);
                for (int part = 0, start = 0; start < layer.Units; part++, start += perPart)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int end = Math.Min(layer.Units, start + perPart);
                    w.WriteLine();
                    w.WriteLine($"/// <summary>Units [{start}, {end}) of layer {index}.</summary>");
                    string output = activation.IsLinear && !layer.Activation.IsLinear ? "z" : "y";
                    using (w.Braces($"private static void {partStem}Part{part}({ReadOnlySpan} w, {ReadOnlySpan} x, {Span} {output})"))
                    {
                        WriteUnrolledUnits(w, layer, activation, output, start, end);
                    }
                }
            }
        }

        private static int UnitsPerPart(LayerSpec layer) => Math.Max(1, TermsPerPart / Math.Max(1, layer.Inputs));

        private static int PartCount(LayerSpec layer) => (layer.Units + UnitsPerPart(layer) - 1) / UnitsPerPart(layer);

        // Writes y (or z) = activation(x W + b) for a dense layer; stem names the parts when split.
        private static void WriteDense(SourceWriter w, LayerSpec layer, string stem, ActivationSpec activation, CancellationToken cancellationToken)
        {
            string output = activation.IsLinear && !layer.Activation.IsLinear ? "z" : "y";
            if (ShapeOf(layer) == DenseShape.Unrolled)
            {
                if (PartCount(layer) == 1)
                {
                    WriteUnrolledUnits(w, layer, activation, output, 0, layer.Units);
                }
                else
                {
                    for (int part = 0; part < PartCount(layer); part++) w.WriteLine($"{stem}Part{part}(w, x, {output});");
                }
            }
            else
            {
                WriteVectorDense(w, layer, activation, output, cancellationToken);
            }
            if (ActivationCatalog.IsVectorWise(activation.Kind))
            {
                WriteActivationPass(w, activation, output, output, layer.Units);
            }
        }

        private static void WriteUnrolledUnits(SourceWriter w, LayerSpec layer, ActivationSpec activation, string output, int start, int end)
        {
            int inputs = layer.Inputs, units = layer.Units;
            bool scalarActivation = !ActivationCatalog.IsVectorWise(activation.Kind);
            w.WriteLine($"_ = x[{inputs - 1}];");
            w.WriteLine($"_ = w[{(layer.UseBias ? layer.BiasOffset + end - 1 : layer.KernelOffset + (inputs - 1) * units + end - 1)}];");
            w.WriteLine($"_ = {output}[{end - 1}];");
            WriteDeclarations(w, "x", inputs, i => $"x[{i}]");
            w.WriteLine("float s;");
            var line = new StringBuilder();
            for (int j = start; j < end; j++)
            {
                line.Clear();
                line.Append("s = ").Append(layer.UseBias ? $"w[{layer.BiasOffset + j}]" : "0f");
                for (int i = 0; i < inputs; i++)
                {
                    line.Append(" + x").Append(i).Append(" * w[").Append(layer.KernelOffset + i * units + j).Append(']');
                    if (i % 6 == 5 && i != inputs - 1)
                    {
                        w.WriteLine(line.ToString());
                        line.Clear();
                        line.Append("   ");
                    }
                }
                line.Append(';');
                w.WriteLine(line.ToString());
                w.WriteLine($"{output}[{j}] = {(scalarActivation ? ActivationEmitter.Forward(activation, "s") : "s")};");
            }
        }

        // float x0 = x[0], x1 = x[1], ...; eight per line.
        private static void WriteDeclarations(SourceWriter w, string prefix, int count, Func<int, string> value)
        {
            var line = new StringBuilder();
            for (int i = 0; i < count; i++)
            {
                line.Append(line.Length == 0 ? "float " : ", ").Append(prefix).Append(i).Append(" = ").Append(value(i));
                if (i % 8 == 7 || i == count - 1)
                {
                    w.WriteLine(line.Append(';').ToString());
                    line.Clear();
                }
            }
        }

        private static void WriteVectorDense(SourceWriter w, LayerSpec layer, ActivationSpec activation, string output, CancellationToken cancellationToken)
        {
            w.WriteLine($"ref float wr = ref {MemoryMarshal}.GetReference(w);");
            w.WriteLine($"ref float xr = ref {MemoryMarshal}.GetReference(x);");
            w.WriteLine($"ref float yr = ref {MemoryMarshal}.GetReference({output});");
            bool vectorActivation = ActivationEmitter.HasVectorForm(activation);
            WriteTiers(w, bits =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                int lanes = bits / 32;
                int vectors = layer.Units / lanes;
                int perTile = Math.Min(TileVectors, Math.Max(1, vectors));
                int fullTiles = vectors / perTile;
                int rest = vectors % perTile;
                if (fullTiles > 0)
                {
                    int stride = perTile * lanes;
                    if (fullTiles == 1)
                    {
                        WriteVectorTile(w, layer, activation, vectorActivation, bits, perTile, "0");
                    }
                    else
                    {
                        using (w.Braces($"for (int j = 0; j < {fullTiles * stride}; j += {stride})"))
                        {
                            WriteVectorTile(w, layer, activation, vectorActivation, bits, perTile, "j");
                        }
                    }
                }
                if (rest > 0)
                {
                    WriteVectorTile(w, layer, activation, vectorActivation, bits, rest, Int(fullTiles * perTile * lanes));
                }
                int tailStart = vectors * lanes;
                if (tailStart < layer.Units)
                {
                    bool fuse = !ActivationCatalog.IsVectorWise(activation.Kind) && vectorActivation;
                    WriteScalarUnits(w, layer, fuse ? activation : ActivationSpec.Linear, tailStart);
                }
            });
            if (!vectorActivation && !ActivationCatalog.IsVectorWise(activation.Kind))
            {
                // Functions without a vector form run as one pass over the outputs.
                WriteActivationPass(w, activation, output, output, layer.Units);
            }
        }

        // One tile of `count` accumulator vectors over units [j, j + count * lanes).
        private static void WriteVectorTile(SourceWriter w, LayerSpec layer, ActivationSpec activation, bool vectorActivation, int bits, int count, string j)
        {
            string V = TypeRefs.Vector(bits);
            int lanes = bits / 32;
            string Offset(int k) => j == "0" ? Int(k) : k == 0 ? j : $"{j} + {k}";
            using (w.Braces())
            {
                for (int a = 0; a < count; a++)
                {
                    string init = layer.UseBias ? $"{V}.LoadUnsafe(ref wr, (nuint)({Offset(layer.BiasOffset + a * lanes)}))" : $"{V}<float>.Zero";
                    w.WriteLine($"{V}<float> a{a} = {init};");
                }
                using (w.Braces($"for (int i = 0; i < {layer.Inputs}; i++)"))
                {
                    w.WriteLine($"{V}<float> xi = {V}.Create({Unsafe}.Add(ref xr, i));");
                    w.WriteLine($"ref float row = ref {Unsafe}.Add(ref wr, {(layer.KernelOffset == 0 ? "" : layer.KernelOffset + " + ")}i * {layer.Units}{(j == "0" ? "" : " + " + j)});");
                    for (int a = 0; a < count; a++)
                    {
                        string load = a == 0 ? $"{V}.LoadUnsafe(ref row)" : $"{V}.LoadUnsafe(ref row, {a * lanes})";
                        w.WriteLine($"a{a} = {MultiplyAdd(bits, "xi", load, "a" + a)};");
                    }
                }
                for (int a = 0; a < count; a++)
                {
                    string value = vectorActivation ? ActivationEmitter.VectorForward(activation, "a" + a, bits) : "a" + a;
                    w.WriteLine($"{V}.StoreUnsafe({value}, ref yr, (nuint)({Offset(a * lanes)}));");
                }
            }
        }

        // a * b + c: fused on the 512- and 256-bit tiers (which require FMA), separate on the 128-bit tier.
        private static string MultiplyAdd(int bits, string a, string b, string c) =>
            bits == 128 ? $"{c} + {a} * {b}" : $"{TypeRefs.Vector(bits)}.FusedMultiplyAdd({a}, {b}, {c})";

        private static void WriteScalarUnits(SourceWriter w, LayerSpec layer, ActivationSpec activation, int start)
        {
            using (w.Braces($"for (int j = {start}; j < {layer.Units}; j++)"))
            {
                w.WriteLine($"float s = {(layer.UseBias ? $"{Unsafe}.Add(ref wr, {layer.BiasOffset} + j)" : "0f")};");
                w.WriteLine($"for (int i = 0; i < {layer.Inputs}; i++) s += {Unsafe}.Add(ref xr, i) * {Unsafe}.Add(ref wr, {(layer.KernelOffset == 0 ? "" : layer.KernelOffset + " + ")}i * {layer.Units} + j);");
                w.WriteLine($"{Unsafe}.Add(ref yr, j) = {ActivationEmitter.Forward(activation, "s")};");
            }
        }

        /// <summary>Writes the three hardware tiers around <paramref name="body"/> (called with 512, 256 and 128).</summary>
        public static void WriteTiers(SourceWriter w, Action<int> body)
        {
            string v512 = TypeRefs.Vector(512), v256 = TypeRefs.Vector(256);
            using (w.Braces($"if ({v512}.IsHardwareAccelerated)")) body(512);
            using (w.Braces($"else if ({v256}.IsHardwareAccelerated && {TypeRefs.Fma}.IsSupported)")) body(256);
            using (w.Braces("else")) body(128);
        }

        /// <summary>Writes <c>output = activation(input)</c> over <paramref name="width"/> values (in place when the names match).</summary>
        public static void WriteActivationPass(SourceWriter w, ActivationSpec activation, string input, string output, int width)
        {
            if (activation.IsLinear)
            {
                if (input != output) w.WriteLine($"{input}.Slice(0, {width}).CopyTo({output});");
                return;
            }
            if (ActivationCatalog.IsVectorWise(activation.Kind))
            {
                (string forward, _) = ActivationEmitter.VectorWise(activation.Kind);
                w.WriteLine($"{forward}({input}.Slice(0, {width}), {output}.Slice(0, {ActivationCatalog.OutputWidth(activation.Kind, width)}));");
                return;
            }
            using (w.Braces($"for (int j = 0; j < {width}; j++)"))
            {
                w.WriteLine($"float v = {input}[j];");
                w.WriteLine($"{output}[j] = {ActivationEmitter.Forward(activation, "v")};");
            }
        }

        // ---------------------------------------------------------------------------------------------------------
        // Backward
        // ---------------------------------------------------------------------------------------------------------

        /// <summary>
        /// Writes the backward methods of layer <paramref name="index"/>: <c>LayerNActivationBackward</c> (dz from dy) when
        /// the activation is not linear, and <c>LayerNDenseBackward</c> (parameter and input gradients) for dense layers.
        /// </summary>
        public static void WriteBackward(SourceWriter w, LayerSpec layer, int index, CancellationToken cancellationToken)
        {
            string name = Name(index);
            int width = layer.PreActivationWidth;
            if (!layer.Activation.IsLinear)
            {
                w.WriteLine($"/// <summary>Layer {index}: gradient before the {ActivationEmitter.Describe(layer.Activation)} activation from the gradient after it.</summary>");
                using (w.Braces($"private static void {name}ActivationBackward({ReadOnlySpan} z, {ReadOnlySpan} y, {ReadOnlySpan} dy, {Span} dz)"))
                {
                    if (ActivationCatalog.IsVectorWise(layer.Activation.Kind))
                    {
                        (_, string backward) = ActivationEmitter.VectorWise(layer.Activation.Kind);
                        int outWidth = layer.Outputs;
                        string saved = layer.Activation.Kind == Activation.Glu ? $"z.Slice(0, {width})" : $"y.Slice(0, {outWidth})";
                        w.WriteLine($"{backward}({saved}, dy.Slice(0, {outWidth}), dz.Slice(0, {width}));");
                    }
                    else
                    {
                        using (w.Braces($"for (int j = 0; j < {width}; j++)"))
                        {
                            w.WriteLine("float zj = z[j], yj = y[j];");
                            w.WriteLine($"dz[j] = dy[j] * ({ActivationEmitter.Derivative(layer.Activation, "zj", "yj")});");
                        }
                    }
                }
                w.WriteLine();
            }
            if (layer.Kind != LayerKind.Dense) return;

            DenseShape shape = ShapeOf(layer);
            w.WriteLine($"/// <summary>Layer {index}: adds x dz^T to the kernel gradient and dz to the bias gradient, and sets dx = W dz unless dx is empty.</summary>");
            using (w.Braces($"private static void {name}DenseBackward({ReadOnlySpan} w, {ReadOnlySpan} x, {ReadOnlySpan} dz, {Span} g, {Span} dx)"))
            {
                // The unrolled backward does two multiply-adds per kernel entry, so it is unrolled only up to one part's budget.
                if (shape == DenseShape.Unrolled && (long)layer.Inputs * layer.Units <= TermsPerPart) WriteUnrolledDenseBackward(w, layer);
                else WriteVectorDenseBackward(w, layer, cancellationToken);
            }
        }

        private static void WriteUnrolledDenseBackward(SourceWriter w, LayerSpec layer)
        {
            int inputs = layer.Inputs, units = layer.Units;
            w.WriteLine($"_ = x[{inputs - 1}];");
            w.WriteLine($"_ = dz[{units - 1}];");
            int last = layer.UseBias ? layer.BiasOffset + units - 1 : layer.KernelOffset + inputs * units - 1;
            w.WriteLine($"_ = w[{last}];");
            w.WriteLine($"_ = g[{last}];");
            WriteDeclarations(w, "d", units, j => $"dz[{j}]");
            if (layer.UseBias)
            {
                for (int j = 0; j < units; j++) w.WriteLine($"g[{layer.BiasOffset + j}] += d{j};");
            }
            w.WriteLine("float xi;");
            for (int i = 0; i < inputs; i++)
            {
                w.WriteLine($"xi = x[{i}];");
                var line = new StringBuilder();
                for (int j = 0; j < units; j++)
                {
                    line.Append($"g[{layer.KernelOffset + i * units + j}] += xi * d{j}; ");
                    if (j % 4 == 3 || j == units - 1)
                    {
                        w.WriteLine(line.ToString().TrimEnd());
                        line.Clear();
                    }
                }
            }
            using (w.Braces("if (!dx.IsEmpty)"))
            {
                w.WriteLine($"_ = dx[{inputs - 1}];");
                for (int i = 0; i < inputs; i++)
                {
                    var line = new StringBuilder($"dx[{i}] = ");
                    for (int j = 0; j < units; j++)
                    {
                        if (j > 0) line.Append(" + ");
                        line.Append($"w[{layer.KernelOffset + i * units + j}] * d{j}");
                    }
                    w.WriteLine(line.Append(';').ToString());
                }
            }
        }

        private static void WriteVectorDenseBackward(SourceWriter w, LayerSpec layer, CancellationToken cancellationToken)
        {
            int units = layer.Units;
            w.WriteLine($"ref float wr = ref {MemoryMarshal}.GetReference(w);");
            w.WriteLine($"ref float gr = ref {MemoryMarshal}.GetReference(g);");
            w.WriteLine($"ref float dzr = ref {MemoryMarshal}.GetReference(dz);");
            w.WriteLine("bool wantDx = !dx.IsEmpty;");
            WriteTiers(w, bits =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                string V = TypeRefs.Vector(bits);
                int lanes = bits / 32;
                int vectorEnd = units / lanes * lanes;
                using (w.Braces($"for (int i = 0; i < {layer.Inputs}; i++)"))
                {
                    w.WriteLine("float xi = x[i];");
                    string rowOffset = (layer.KernelOffset == 0 ? "" : layer.KernelOffset + " + ") + $"i * {units}";
                    w.WriteLine($"ref float wRow = ref {Unsafe}.Add(ref wr, {rowOffset});");
                    w.WriteLine($"ref float gRow = ref {Unsafe}.Add(ref gr, {rowOffset});");
                    w.WriteLine($"{V}<float> xv = {V}.Create(xi);");
                    w.WriteLine($"{V}<float> acc = {V}<float>.Zero;");
                    if (vectorEnd > 0)
                    {
                        using (w.Braces($"for (int j = 0; j < {vectorEnd}; j += {lanes})"))
                        {
                            w.WriteLine($"{V}<float> d = {V}.LoadUnsafe(ref dzr, (nuint)j);");
                            w.WriteLine($"{V}.StoreUnsafe({MultiplyAdd(bits, "xv", "d", $"{V}.LoadUnsafe(ref gRow, (nuint)j)")}, ref gRow, (nuint)j);");
                            w.WriteLine($"acc = {MultiplyAdd(bits, $"{V}.LoadUnsafe(ref wRow, (nuint)j)", "d", "acc")};");
                        }
                    }
                    w.WriteLine($"float s = {V}.Sum(acc);");
                    if (vectorEnd < units)
                    {
                        using (w.Braces($"for (int j = {vectorEnd}; j < {units}; j++)"))
                        {
                            w.WriteLine($"float d = {Unsafe}.Add(ref dzr, j);");
                            w.WriteLine($"{Unsafe}.Add(ref gRow, j) += xi * d;");
                            w.WriteLine($"s += {Unsafe}.Add(ref wRow, j) * d;");
                        }
                    }
                    w.WriteLine("if (wantDx) dx[i] = s;");
                }
            });
            if (layer.UseBias)
            {
                using (w.Braces($"for (int j = 0; j < {units}; j++)"))
                {
                    w.WriteLine($"{Unsafe}.Add(ref gr, {layer.BiasOffset} + j) += {Unsafe}.Add(ref dzr, j);");
                }
            }
        }
    }
}
