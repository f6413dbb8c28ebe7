using System;

namespace ModelGen.Generator.Model
{
    /// <summary>What kind of layer a <see cref="LayerSpec"/> is.</summary>
    internal enum LayerKind
    {
        /// <summary>Keras <c>Dense</c>: <c>activation(x @ kernel + bias)</c>.</summary>
        Dense,
        /// <summary>Keras <c>Activation</c>: applies a function, no parameters.</summary>
        Activation,
        /// <summary>Keras <c>Dropout</c>: only in a <see cref="DeclaredLayer"/>; the builder folds it into the layer before it.</summary>
        Dropout,
        /// <summary>
        /// A fixed per-feature affine map <c>x * scale + offset</c> (Keras <c>BatchNormalization</c> in inference mode,
        /// <c>Normalization</c>, <c>Rescaling</c>; ONNX <c>BatchNormalization</c>): no trainable parameters; its stored vectors
        /// are the model's non-trainable state (<see cref="LayerSpec.Affine"/>).
        /// </summary>
        Affine,
    }

    /// <summary>What an affine layer is and how its stored vectors fold into its scale and offset.</summary>
    /// <remarks>Numbers, flags and an <see cref="EquatableArray{T}"/>: equatable and safe to cache.</remarks>
    /// <param name="Kind">BatchNormalization, Normalization or Rescaling.</param>
    /// <param name="Epsilon">BatchNormalization's epsilon (Keras default 1e-3, ONNX 1e-5).</param>
    /// <param name="Center">BatchNormalization stores beta.</param>
    /// <param name="Scale">BatchNormalization stores gamma.</param>
    /// <param name="Invert">Normalization's <c>invert</c>.</param>
    /// <param name="Constants">Rescaling's (scale, offset); a Normalization's config mean and variance when it stores none; else empty.</param>
    /// <param name="Name">The layer's name in the file (for messages and the summary).</param>
    internal readonly record struct AffineSpec(ModelGen.Formats.AffineKind Kind, double Epsilon, bool Center, bool Scale, bool Invert, EquatableArray<double> Constants, string Name)
    {
        /// <summary>True when the layer has stored vectors (part of the non-trainable state).</summary>
        public bool Stored => Kind == ModelGen.Formats.AffineKind.BatchNormalization || (Kind == ModelGen.Formats.AffineKind.Normalization && Constants.Count == 0);

        /// <summary>Stored values of the layer over <paramref name="width"/> features.</summary>
        public int StoredCount(int width) => ModelGen.Formats.AffineFold.StoredCount(Kind, width, Center, Scale, Stored);

        /// <summary>The names of the stored vectors in order (gamma, beta, moving_mean, moving_variance; mean, variance).</summary>
        public string[] StoredNames => ModelGen.Formats.AffineFold.StoredNames(Kind, Center, Scale, Stored);

        /// <summary>Keras's class name.</summary>
        public string ClassName => Kind.ToString();
    }

    /// <summary>An activation with every parameter resolved (Keras defaults filled in).</summary>
    /// <remarks>Holds only numbers and enums, so it is equatable and safe to cache.</remarks>
    internal readonly record struct ActivationSpec(Activation Kind, float Alpha, float NegativeSlope, float Threshold, float DefaultValue, float B)
    {
        /// <summary>The identity.</summary>
        public static ActivationSpec Linear => Of(Activation.Linear);

        /// <summary><paramref name="kind"/> with every parameter unset (NaN); <see cref="With"/> sets them.</summary>
        public static ActivationSpec Of(Activation kind) => new(kind, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN);

        /// <summary>This spec with the parameter <paramref name="parameter"/> (one row of <see cref="ActivationCatalog.ParameterTable"/>) set to <paramref name="value"/>.</summary>
        public ActivationSpec With(ActivationParameterKinds parameter, float value) => parameter switch
        {
            ActivationParameterKinds.Alpha => this with { Alpha = value },
            ActivationParameterKinds.NegativeSlope => this with { NegativeSlope = value },
            ActivationParameterKinds.Threshold => this with { Threshold = value },
            ActivationParameterKinds.DefaultValue => this with { DefaultValue = value },
            ActivationParameterKinds.B => this with { B = value },
            _ => throw new System.ArgumentOutOfRangeException(nameof(parameter), parameter, "not a single activation parameter"),
        };

        /// <summary>True for the identity.</summary>
        public bool IsLinear => Kind == Activation.Linear;
    }

    /// <summary>One layer, in application order, with its place in the flat parameter vector.</summary>
    /// <remarks>Holds only numbers, enums and specs: no symbols, syntax or locations.</remarks>
    internal readonly record struct LayerSpec(
        LayerKind Kind,
        int Inputs,
        int Units,
        ActivationSpec Activation,
        bool UseBias,
        Initializer KernelInitializer,
        Initializer BiasInitializer,
        int KernelOffset,
        int BiasOffset,
        float DropoutRate = 0f,
        AffineSpec Affine = default,
        int StateOffset = 0,
        int FoldedOffset = 0)
    {
        /// <summary>Stored (non-trainable) values of an affine layer; 0 for the others.</summary>
        public int StoredCount => Kind == LayerKind.Affine ? Affine.StoredCount(Units) : 0;

        /// <summary>Width before the activation (the dense units, or the input width of an activation layer).</summary>
        public int PreActivationWidth => Kind != LayerKind.Activation ? Units : Inputs;

        /// <summary>Width after the activation.</summary>
        public int Outputs => ActivationCatalog.OutputWidth(Activation.Kind, PreActivationWidth);

        /// <summary>True when training drops values of this layer's output (a Keras <c>Dropout</c> followed it).</summary>
        public bool HasDropout => DropoutRate > 0f;

        /// <summary>Parameters this layer owns.</summary>
        public int ParameterCount => Kind == LayerKind.Dense ? Inputs * Units + (UseBias ? Units : 0) : 0;
    }

    /// <summary>A whole model: where it lives, its input width and its layers.</summary>
    /// <remarks>
    /// This spec crosses the incremental pipeline's caching boundary, so it holds only strings, numbers, enums,
    /// specs and <see cref="EquatableArray{T}"/>; never an <c>ISymbol</c>, <c>SyntaxNode</c>, <c>Location</c> or
    /// <c>Compilation</c>, not even nested.
    /// </remarks>
    /// <param name="Namespace">The containing namespace ("" for the global one).</param>
    /// <param name="ClassName">The class name as written in C# (keywords escaped with <c>@</c>).</param>
    /// <param name="Source">Where the declaration came from, for the generated docs.</param>
    /// <param name="InputSize">Floats per sample in.</param>
    /// <param name="Layers">The layers in application order.</param>
    /// <param name="Weights">The embedded parameters (<c>[Model(Weights = ...)]</c>), <see cref="ParameterCount"/> values; empty when none.</param>
    /// <param name="InputDropout">The rate of a Keras <c>Dropout</c> applied to the input in training (0: none).</param>
    /// <param name="State">The embedded non-trainable state (<see cref="StateCount"/> values) when the weights are compiled in; else empty.</param>
    internal sealed record NetworkSpec(
        string Namespace,
        string ClassName,
        string Source,
        int InputSize,
        EquatableArray<LayerSpec> Layers,
        EquatableArray<float> Weights,
        float InputDropout = 0f,
        EquatableArray<float> State = default)
    {
        /// <summary>True when a layer is an affine map (the model has non-trainable state or folded constants).</summary>
        public bool HasAffine
        {
            get
            {
                foreach (LayerSpec layer in Layers) if (layer.Kind == LayerKind.Affine) return true;
                return false;
            }
        }

        /// <summary>Length of the non-trainable state (the affine layers' stored vectors).</summary>
        public int StateCount
        {
            get
            {
                int total = 0;
                foreach (LayerSpec layer in Layers) total += layer.StoredCount;
                return total;
            }
        }

        /// <summary>Floats of the folded affine maps (scale and offset per feature of each affine layer).</summary>
        public int FoldedCount
        {
            get
            {
                int total = 0;
                foreach (LayerSpec layer in Layers) if (layer.Kind == LayerKind.Affine) total += 2 * layer.Units;
                return total;
            }
        }

        /// <summary>True when training applies dropout anywhere.</summary>
        public bool HasDropout
        {
            get
            {
                if (InputDropout > 0f) return true;
                foreach (LayerSpec layer in Layers) if (layer.HasDropout) return true;
                return false;
            }
        }

        /// <summary>True when the parameters are compiled in.</summary>
        public bool HasWeights => Weights.Count > 0;

        /// <summary>Floats per sample out.</summary>
        public int OutputSize => Layers.Count == 0 ? InputSize : Layers[Layers.Count - 1].Outputs;

        /// <summary>Length of the flat parameter vector.</summary>
        public int ParameterCount
        {
            get
            {
                int total = 0;
                foreach (LayerSpec layer in Layers) total += layer.ParameterCount;
                return total;
            }
        }

        /// <summary>The widest vector any layer reads or writes (the size of each scratch buffer).</summary>
        public int MaxWidth
        {
            get
            {
                int max = InputSize;
                foreach (LayerSpec layer in Layers) max = Math.Max(max, Math.Max(layer.PreActivationWidth, layer.Outputs));
                return max;
            }
        }

        /// <summary>The widest intermediate vector (what the forward scratch buffers hold: every layer's output but the last).</summary>
        public int ScratchWidth
        {
            get
            {
                int max = 1;
                for (int l = 0; l < Layers.Count - 1; l++) max = Math.Max(max, Math.Max(Layers[l].PreActivationWidth, Layers[l].Outputs));
                return max;
            }
        }

        /// <summary>The last layer's activation.</summary>
        public Activation OutputActivation => Layers.Count == 0 ? Activation.Linear : Layers[Layers.Count - 1].Activation.Kind;

        /// <summary>The fully qualified name with <c>global::</c>.</summary>
        public string FullName => Namespace.Length == 0 ? "global::" + ClassName : "global::" + Namespace + "." + ClassName;

        /// <summary>Stem of the hint names of this model's files: <c>{Ns}.{Type}</c>, without the <c>@</c> of escaped keywords (not allowed in hint names).</summary>
        public string HintStem => (Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName).Replace("@", "");
    }

    /// <summary>A layer as declared, before offsets are assigned and Activation layers are fused.</summary>
    /// <remarks>Plain data, used only inside a reader.</remarks>
    internal readonly record struct DeclaredLayer(LayerKind Kind, int Units, ActivationSpec Activation, bool UseBias, Initializer KernelInitializer, Initializer BiasInitializer, float Rate = 0f, AffineSpec Affine = default)
    {
        /// <summary>An affine layer (its width is the running width).</summary>
        public static DeclaredLayer AffineLayer(AffineSpec affine) => new(LayerKind.Affine, 0, ActivationSpec.Linear, false, Initializer.Zeros, Initializer.Zeros, 0f, affine);

        /// <summary>A Keras <c>Dropout</c> of <paramref name="rate"/>.</summary>
        public static DeclaredLayer Dropout(float rate) => new(LayerKind.Dropout, 0, ActivationSpec.Linear, false, Initializer.Zeros, Initializer.Zeros, rate);
    }

    /// <summary>Builds the layer list of a <see cref="NetworkSpec"/>: shapes, offsets, and fusion of linear Dense + Activation.</summary>
    internal static class NetworkBuilder
    {
        /// <summary>
        /// Largest width of any layer or input: 262,144 (2^18). A declaration past it (a 10^6-unit layer) is refused with
        /// MGEN006 before anything is sized by it; docs/reliability.md lists the limits.
        /// </summary>
        public const int MaxWidth = 1 << 18;

        /// <summary>
        /// Largest parameter count of a model: 134,217,728 (2^27, 512 MB of float32 per instance, before the gradient and
        /// optimizer state that Fit adds).
        /// </summary>
        public const long MaxParameters = 1L << 27;

        /// <summary>
        /// Largest number of values of a weights file compiled into a model (<c>[Model(Weights = ...)]</c>): 1,048,576 (2^20,
        /// 4 MB of float32, about 15 MB of generated C#). Larger weights are loaded at run time with <c>WeightFile</c>.
        /// </summary>
        public const int MaxEmbeddedParameters = 1 << 20;

        /// <summary>Largest number of layers.</summary>
        public const int MaxLayers = 1024;

        /// <summary>
        /// Lays out <paramref name="declared"/> after an input of <paramref name="inputSize"/>. A linear Dense followed by an
        /// Activation layer becomes one Dense with that activation (the same function, one pass fewer). A Dropout becomes the
        /// <see cref="LayerSpec.DropoutRate"/> of the layer before it, or <paramref name="inputDropout"/> before the first;
        /// dropouts in a row combine (keep probabilities multiply), and a dropout after the last layer is dropped (Keras would
        /// apply it to the model's outputs in training, which no loss here expects). Returns null and sets
        /// <paramref name="error"/> when the model is too large.
        /// </summary>
        public static LayerSpec[]? Build(int inputSize, DeclaredLayer[] declared, out float inputDropout, out string? error)
        {
            inputDropout = 0f;
            var layers = new System.Collections.Generic.List<LayerSpec>(declared.Length);
            long offset = 0;
            int width = inputSize, state = 0, folded = 0;
            error = null;
            if (declared.Length > MaxLayers)
            {
                error = $"{declared.Length} layers (the limit is {MaxLayers})";
                return null;
            }
            foreach (DeclaredLayer d in declared)
            {
                if (d.Kind == LayerKind.Dropout)
                {
                    if (d.Rate <= 0f) continue;
                    if (layers.Count == 0)
                    {
                        inputDropout = Combine(inputDropout, d.Rate);
                    }
                    else
                    {
                        LayerSpec before = layers[layers.Count - 1];
                        layers[layers.Count - 1] = before with { DropoutRate = Combine(before.DropoutRate, d.Rate) };
                    }
                    continue;
                }
                if (d.Kind == LayerKind.Activation && layers.Count > 0)
                {
                    LayerSpec last = layers[layers.Count - 1];
                    if (last.Kind == LayerKind.Dense && last.Activation.IsLinear && !last.HasDropout && d.Activation.Kind != Activation.Glu)
                    {
                        layers[layers.Count - 1] = last with { Activation = d.Activation };
                        width = layers[layers.Count - 1].Outputs;
                        continue;
                    }
                }
                if (d.Kind == LayerKind.Affine)
                {
                    layers.Add(new LayerSpec(LayerKind.Affine, width, width, ActivationSpec.Linear, false, Initializer.Zeros, Initializer.Zeros, (int)offset, (int)offset, 0f, d.Affine, state, folded));
                    state += d.Affine.StoredCount(width);
                    folded += 2 * width;
                    continue;
                }
                if (d.Kind == LayerKind.Activation)
                {
                    if (d.Activation.IsLinear) continue;
                    var layer = new LayerSpec(LayerKind.Activation, width, width, d.Activation, false, Initializer.Zeros, Initializer.Zeros, (int)offset, (int)offset);
                    layers.Add(layer);
                    width = layer.Outputs;
                    continue;
                }
                long kernel = (long)width * d.Units;
                long total = offset + kernel + (d.UseBias ? d.Units : 0);
                if (d.Units > MaxWidth || total > MaxParameters)
                {
                    error = d.Units > MaxWidth
                        ? $"a layer of {d.Units} units (the limit is {MaxWidth})"
                        : $"more than {MaxParameters} parameters";
                    return null;
                }
                // Glu halves the width, so it never runs in place on a dense layer's output: it becomes its own layer.
                bool glu = d.Activation.Kind == Activation.Glu;
                layers.Add(new LayerSpec(LayerKind.Dense, width, d.Units, glu ? ActivationSpec.Linear : d.Activation, d.UseBias, d.KernelInitializer, d.BiasInitializer, (int)offset, (int)(offset + kernel)));
                offset = total;
                width = d.Units;
                if (glu)
                {
                    layers.Add(new LayerSpec(LayerKind.Activation, width, width, d.Activation, false, Initializer.Zeros, Initializer.Zeros, (int)offset, (int)offset));
                    width = layers[layers.Count - 1].Outputs;
                }
            }
            if (layers.Count > 0) layers[layers.Count - 1] = layers[layers.Count - 1] with { DropoutRate = 0f };
            else inputDropout = 0f;
            return layers.ToArray();
        }

        // Two dropouts in a row keep a value with probability (1 - a)(1 - b).
        private static float Combine(float a, float b) => a == 0f ? b : 1f - (1f - a) * (1f - b);
    }
}
