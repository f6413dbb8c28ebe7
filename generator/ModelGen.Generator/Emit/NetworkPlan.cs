using System;
using System.Collections.Generic;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Every code-shape decision for one model, computed once from its <see cref="NetworkSpec"/> and the constants in
    /// <see cref="CodeShape"/>: the batch path, the scratch, the trace layout, and per layer the forms, names and shapes.
    /// The emitters read it and only write text.
    /// </summary>
    /// <remarks>Built inside the source output step, after the cache boundary: it never flows through the pipeline.</remarks>
    internal sealed class NetworkPlan
    {
        private NetworkPlan(NetworkSpec spec)
        {
            Spec = spec;
            var layers = new LayerPlan[spec.Layers.Count];
            ChunkSamples = spec.ParameterCount > CodeShape.LayerMajorParameters && spec.Layers.Count > 1 ? CodeShape.LayerMajorChunk : 0;
            for (int l = 0; l < layers.Length; l++) layers[l] = new LayerPlan(spec.Layers[l], l, ChunkSamples > 0);
            Layers = layers;
            ForwardScratch = 2 * Math.Max(CodeShape.BatchSamples, ChunkSamples) * spec.ScratchWidth;
            HeapScratch = ForwardScratch > CodeShape.StackScratchLimit;
            CopiesWeights = spec.ParameterCount > CodeShape.AlignedCopyThreshold;
            Trace = TraceLayout.For(spec);
        }

        /// <summary>The plan of <paramref name="spec"/>.</summary>
        public static NetworkPlan For(NetworkSpec spec) => new(spec);

        /// <summary>The model.</summary>
        public NetworkSpec Spec { get; }

        /// <summary>One plan per layer, in application order.</summary>
        public IReadOnlyList<LayerPlan> Layers { get; }

        /// <summary>The last layer's plan.</summary>
        public LayerPlan Last => Layers[Layers.Count - 1];

        /// <summary>Samples per chunk of the layer-major batch path, or 0 when batches run sample-major.</summary>
        public int ChunkSamples { get; }

        /// <summary>True when batches run layer by layer over chunks (<see cref="ChunkSamples"/>).</summary>
        public bool LayerMajor => ChunkSamples > 0;

        /// <summary>Floats of forward scratch (two buffers) the forward pass needs.</summary>
        public int ForwardScratch { get; }

        /// <summary>True when the forward scratch is a per-thread array instead of stack memory.</summary>
        public bool HeapScratch { get; }

        /// <summary>True when <c>Predict</c> reads an aligned copy of the embedded weights.</summary>
        public bool CopiesWeights { get; }

        /// <summary>Where each layer's values live in the training trace.</summary>
        public TraceLayout Trace { get; }

    }

    /// <summary>The code-shape decisions for one layer: which forms it has, their names, and scalar or vector code.</summary>
    internal sealed class LayerPlan
    {
        internal LayerPlan(LayerSpec layer, int index, bool wideBatch)
        {
            Layer = layer;
            Index = index;
            Name = GeneratedNames.Layer(index);
            IsDense = layer.Kind == LayerKind.Dense;
            IsAffine = layer.Kind == LayerKind.Affine;
            IsScalar = layer.Units < CodeShape.MinVectorUnits;
            IsSmall = (long)layer.Inputs * layer.Units <= CodeShape.InlineLimit;
            IsGeneric = IsDense && !IsScalar && !layer.Activation.IsLinear && ActivationEmitter.HasVectorForm(layer.Activation);
            ReusesLinearForm = !IsScalar && !layer.Activation.IsLinear && !ActivationEmitter.HasVectorForm(layer.Activation);
            // A layer-major chunk runs a kernel-sized layer through DenseKernels.Forward (measured at batch 256 on Zen 1,
            // Vector256: mnist 10.2 to 6.8 us per sample, wide 44.6 to 25.4), and the x8 form only for the others. An
            // activation that changes the width (glu) keeps the x8 form: the chunk's buffers hold the narrower output.
            ChunkRunsDenseKernels = wideBatch && UsesDenseKernels && layer.Outputs == layer.Units;
            WideBatch = wideBatch && !ChunkRunsDenseKernels;
        }

        /// <summary>
        /// True when the layer-major batch path runs this layer through <c>DenseKernels.Forward</c> over a whole chunk,
        /// then its activation in place (instead of the <c>x8</c> form).
        /// </summary>
        public bool ChunkRunsDenseKernels { get; }

        /// <summary>The layer.</summary>
        public LayerSpec Layer { get; }

        /// <summary>Its index in the model.</summary>
        public int Index { get; }

        /// <summary>The stem of its member names: <c>Layer0</c>.</summary>
        public string Name { get; }

        /// <summary>True for a Dense layer (an Activation layer has only <see cref="ActivateMethod"/> and backward).</summary>
        public bool IsDense { get; }

        /// <summary>True for an affine layer (BatchNormalization, Normalization, Rescaling): it runs through <c>AffineMath</c>.</summary>
        public bool IsAffine { get; }

        /// <summary>The call of an affine layer's map on <paramref name="count"/> samples of <paramref name="x"/> into <paramref name="y"/>, folded maps in <paramref name="state"/>.</summary>
        public string AffineForward(string state, string x, string y, string count) =>
            $"{TypeRefs.AffineMath}.Forward({state}, {Literals.Int(Layer.FoldedOffset)}, {Literals.Int(Layer.Units)}, {x}, {y}, {count});";

        /// <summary>The call of an affine layer's input gradient.</summary>
        public string AffineBackward(string state, string dy, string dx, string count) =>
            $"{TypeRefs.AffineMath}.Backward({state}, {Literals.Int(Layer.FoldedOffset)}, {Literals.Int(Layer.Units)}, {dy}, {dx}, {count});";

        /// <summary>True when the dense layer is written as scalar code (fewer units than the narrowest vector).</summary>
        public bool IsScalar { get; }

        /// <summary>True when the layer's methods are small enough to inline (no call, no span passing per layer).</summary>
        public bool IsSmall { get; }

        /// <summary>
        /// True when the layer trains through the runtime's dense kernels: the trace's forward calls
        /// <c>DenseKernels.Forward</c> and <see cref="DenseBackwardMethod"/> calls <c>DenseKernels.KernelGradient</c> and
        /// <c>InputGradient</c> (a vector layer of at least <see cref="CodeShape.DenseKernelMinEntries"/> kernel entries).
        /// </summary>
        public bool UsesDenseKernels => IsDense && !IsScalar && (long)Layer.Inputs * Layer.Units >= CodeShape.DenseKernelMinEntries;

        /// <summary>
        /// True when <c>Forward</c> and <c>Predict</c> run a single sample of this layer through <c>DenseKernels.Forward</c>
        /// (which streams a kernel of at least <see cref="CodeShape.RowStreamEntries"/> entries row by row), then its
        /// activation in place. An activation that changes the width (glu) keeps the generated form.
        /// </summary>
        public bool OneSampleRunsDenseKernels => IsDense && !IsScalar && Layer.Outputs == Layer.Units
            && (long)Layer.Inputs * Layer.Units >= CodeShape.RowStreamEntries;

        /// <summary>The layer's kernel in the parameter span <paramref name="span"/>: <c>w.Slice(offset, inputs * units)</c>.</summary>
        public string KernelSlice(string span) => $"{span}.Slice({Literals.Int(Layer.KernelOffset)}, {Literals.Int(Layer.Inputs * Layer.Units)})";

        /// <summary>The layer's bias in <paramref name="span"/>, or <c>default</c> (empty) without one.</summary>
        public string BiasSlice(string span) => Layer.UseBias ? $"{span}.Slice({Literals.Int(Layer.BiasOffset)}, {Literals.Int(Layer.Units)})" : "default";

        /// <summary>
        /// True when the layer's one-sample and 4-sample forms are generic over the activation: a vector-tile layer whose
        /// activation fuses into its stores. <c>LayerN&lt;LayerNActivation&gt;</c> is the forward form and
        /// <c>LayerN&lt;LinearActivation&gt;</c> the training form (values before the activation), from one body.
        /// </summary>
        public bool IsGeneric { get; }

        /// <summary>
        /// True when the fused forward form of a vector-tile layer would be its Linear form plus an activation pass (the
        /// activation has no vector form to fuse into the stores: softmax, gelu, ...): then it calls the Linear form instead of
        /// repeating its tiles, which keeps the generated code, and the build, smaller.
        /// </summary>
        public bool ReusesLinearForm { get; }

        /// <summary>True when the layer also has the <c>x8</c> form (layer-major models).</summary>
        public bool WideBatch { get; }

        /// <summary>True when the layer has separate <c>LayerNLinear</c> forms (training needs the values before a non-linear activation).</summary>
        public bool HasLinearForms => IsDense && !Layer.Activation.IsLinear && !IsGeneric;

        /// <summary>Sample counts of the activated forward forms: 1, <see cref="CodeShape.BatchSamples"/>, and in layer-major models <see cref="CodeShape.WideBatchSamples"/>.</summary>
        public int[] ForwardSamples => WideBatch
            ? new[] { 1, CodeShape.BatchSamples, CodeShape.WideBatchSamples }
            : new[] { 1, CodeShape.BatchSamples };

        /// <summary>Sample counts of the Linear forms.</summary>
        public int[] LinearSamples => new[] { 1, CodeShape.BatchSamples };

        /// <summary>True when the form for <paramref name="samples"/> is generic over the activation (the <c>x8</c> form never is).</summary>
        public bool IsGenericForm(int samples) => IsGeneric && samples != CodeShape.WideBatchSamples;

        /// <summary>The element-wise activation pass over whole samples: <c>LayerNActivate</c>.</summary>
        public string ActivateMethod => Name + "Activate";

        /// <summary>The gradient through the activation: <c>LayerNActivationBackward</c>.</summary>
        public string ActivationBackwardMethod => Name + "ActivationBackward";

        /// <summary>The kernel, bias and input gradients: <c>LayerNDenseBackward</c>.</summary>
        public string DenseBackwardMethod => Name + "DenseBackward";

        /// <summary>The struct carrying a generic layer's activation into its stores: <c>LayerNActivation</c>.</summary>
        public string ActivationStruct => Name + "Activation";

        /// <summary>The suffix of the form for <paramref name="samples"/>: "" or <c>x4</c>.</summary>
        public static string Suffix(int samples) => samples == 1 ? "" : "x" + Literals.Int(samples);

        /// <summary>
        /// The method a caller names for this layer on <paramref name="samples"/> samples: with the activation applied
        /// (<paramref name="activated"/>) or the values before it.
        /// </summary>
        public string ForwardMethod(int samples, bool activated)
        {
            string suffix = Suffix(samples);
            if (IsGenericForm(samples))
            {
                return Name + suffix + "<" + (activated ? ActivationStruct : TypeRefs.LinearActivation) + ">";
            }
            return Name + (activated || Layer.Activation.IsLinear ? "" : "Linear") + suffix;
        }

        /// <summary>Accumulator vectors per forward tile for <paramref name="samples"/> samples on <paramref name="columns"/>.</summary>
        public static int TileVectors(Columns columns, int samples) =>
            samples == 1 ? (columns.Bits == 512 && columns.Offsets.Length >= CodeShape.TileVectorsWide ? CodeShape.TileVectorsWide : CodeShape.TileVectors)
            : samples == CodeShape.WideBatchSamples ? (columns.Bits == 512 ? CodeShape.TileVectorsWideBatch : CodeShape.TileVectorsWideBatchNarrow)
            : columns.Bits == 512 ? CodeShape.TileVectorsBatch : CodeShape.TileVectorsBatchNarrow;

        /// <summary>Accumulators one vector's inputs are split over in a tile of <paramref name="vectors"/> vectors.</summary>
        public int InputSplits(int vectors, int samples) =>
            samples == 1 ? Math.Min(Layer.Inputs, Math.Max(1, Math.Min(CodeShape.MaxInputSplits, CodeShape.TileVectors / vectors))) : 1;

        /// <summary>True when a tile of <paramref name="vectors"/> vectors is written out without a loop over the inputs.</summary>
        public bool UnrollsTile(int vectors, int samples) => Layer.Inputs * vectors * samples <= CodeShape.UnrollFmas;

        /// <summary>True when a scalar layer on <paramref name="samples"/> samples is written out without loops.</summary>
        public bool UnrollsScalar(int samples) => (long)Layer.Inputs * Layer.Units * samples <= CodeShape.UnrollScalarTerms;

        /// <summary>Partial sums per unit of an unrolled scalar layer.</summary>
        public int ScalarChains => Layer.Inputs >= CodeShape.ScalarChainInputs ? CodeShape.ScalarChains : 1;

        /// <summary>
        /// The widest vectors (at most <paramref name="maxBits"/>) whose lanes fit the units, one per <c>lanes</c> units; with
        /// <paramref name="overlap"/>, a last vector ending at the last unit covers the remainder. Without it the remainder is
        /// left to scalar code (gradients must not be added twice).
        /// </summary>
        public Columns Columns(int maxBits, bool overlap)
        {
            int units = Layer.Units;
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
    }

    /// <summary>Vector columns of a layer on one tier: the vector width and each vector's first unit.</summary>
    internal readonly struct Columns
    {
        /// <summary>Creates the columns.</summary>
        public Columns(int bits, int[] offsets, bool overlap)
        {
            Bits = bits;
            Offsets = offsets;
            Overlap = overlap;
        }

        /// <summary>The vector width in bits.</summary>
        public int Bits { get; }

        /// <summary>Each vector's first unit.</summary>
        public int[] Offsets { get; }

        /// <summary>True when the last vector overlaps the one before (the width is not a multiple of the lanes).</summary>
        public bool Overlap { get; }

        /// <summary>Floats per vector.</summary>
        public int Lanes => Bits / 32;
    }

    /// <summary>
    /// One region of the training trace: per-sample start and width, in floats (a region holds n samples, so its start is
    /// multiplied by n at run time), and the name of the constant holding the start (null for the input, which starts at 0).
    /// </summary>
    internal readonly record struct Region(int Start, int Width, string? Name = null);

    /// <summary>Where each layer's values live in the training trace.</summary>
    internal sealed class TraceLayout
    {
        /// <summary>The input.</summary>
        public Region Input { get; private set; }

        /// <summary>The input after dropout (the input itself without).</summary>
        public Region InputOut { get; private set; }

        /// <summary>The input's dropout mask (width 0 without).</summary>
        public Region InputMask { get; private set; }

        /// <summary>Per layer, the values before the activation (the input x for activation layers).</summary>
        public Region[] Z { get; private set; } = Array.Empty<Region>();

        /// <summary>Per layer, the values after the activation.</summary>
        public Region[] Y { get; private set; } = Array.Empty<Region>();

        /// <summary>Per layer, the values after the layer's dropout: the next layer's input (Y without).</summary>
        public Region[] Out { get; private set; } = Array.Empty<Region>();

        /// <summary>Per layer, the dropout mask of Out (width 0 without).</summary>
        public Region[] Mask { get; private set; } = Array.Empty<Region>();

        /// <summary>Floats per sample before the loss gradient.</summary>
        public int Width { get; private set; }

        /// <summary>Every named region in trace order, with a short description: what the start constants are written from.</summary>
        public IReadOnlyList<(Region Region, string What)> Named => _named;

        private readonly List<(Region, string)> _named = new();

        private Region Add(int start, int width, string name, string what)
        {
            var region = new Region(start, width, name);
            _named.Add((region, what));
            return region;
        }

        /// <summary>The loss gradient (the width before the last activation).</summary>
        public Region LossGradient { get; private set; }

        /// <summary>The first backward scratch buffer (the widest layer).</summary>
        public Region BackwardA { get; private set; }

        /// <summary>The second backward scratch buffer.</summary>
        public Region BackwardB { get; private set; }

        /// <summary>Floats per sample of the whole trace workspace.</summary>
        public int Floats { get; private set; }

        /// <summary>The input of layer <paramref name="index"/>: the model input after dropout, or the previous layer's Out.</summary>
        public Region InputOf(int index) => index == 0 ? InputOut : Out[index - 1];

        /// <summary>The layout of <paramref name="spec"/>.</summary>
        public static TraceLayout For(NetworkSpec spec)
        {
            var t = new TraceLayout { Input = new Region(0, spec.InputSize) };
            int at = spec.InputSize;
            int count = spec.Layers.Count;
            t.Z = new Region[count];
            t.Y = new Region[count];
            t.Out = new Region[count];
            t.Mask = new Region[count];
            t.InputOut = t.Input;
            if (spec.InputDropout > 0f)
            {
                t.InputOut = t.Add(at, spec.InputSize, GeneratedNames.TraceInputDropped, "the input after dropout");
                t.InputMask = t.Add(at + spec.InputSize, spec.InputSize, GeneratedNames.TraceInputMask, "the input's dropout mask");
                at += 2 * spec.InputSize;
            }
            Region previous = t.InputOut;
            for (int l = 0; l < count; l++)
            {
                LayerSpec layer = spec.Layers[l];
                if (layer.Kind != LayerKind.Activation)
                {
                    string what = layer.Kind == LayerKind.Affine ? "output of " + layer.Affine.ClassName : layer.Activation.IsLinear ? "output" : "before " + ActivationEmitter.Describe(layer.Activation);
                    t.Z[l] = t.Add(at, layer.Units, GeneratedNames.Layer(l) + "ZAt", $"layer {l} {what}");
                    at += layer.Units;
                }
                else
                {
                    t.Z[l] = previous;
                }
                if (layer.Activation.IsLinear)
                {
                    t.Y[l] = t.Z[l];
                }
                else
                {
                    t.Y[l] = t.Add(at, layer.Outputs, GeneratedNames.Layer(l) + "YAt", $"layer {l} after {ActivationEmitter.Describe(layer.Activation)}");
                    at += layer.Outputs;
                }
                t.Out[l] = t.Y[l];
                if (layer.HasDropout)
                {
                    t.Out[l] = t.Add(at, layer.Outputs, GeneratedNames.Layer(l) + "DroppedAt", $"layer {l} after dropout");
                    t.Mask[l] = t.Add(at + layer.Outputs, layer.Outputs, GeneratedNames.Layer(l) + "MaskAt", $"layer {l}'s dropout mask");
                    at += 2 * layer.Outputs;
                }
                previous = t.Out[l];
            }
            t.Width = at;
            LayerSpec last = spec.Layers[count - 1];
            t.LossGradient = t.Add(at, last.PreActivationWidth, GeneratedNames.TraceLossGradient, "the loss gradient");
            at += last.PreActivationWidth;
            t.BackwardA = t.Add(at, spec.MaxWidth, GeneratedNames.TraceBackwardA, "backward scratch a");
            t.BackwardB = t.Add(at + spec.MaxWidth, spec.MaxWidth, GeneratedNames.TraceBackwardB, "backward scratch b");
            t.Floats = at + 2 * spec.MaxWidth;
            return t;
        }
    }
}
