using System;
using System.Runtime.InteropServices;

namespace ModelGen
{
    /// <summary>
    /// A Keras 3 optimizer: <see cref="Step(Span{float}, ReadOnlySpan{float})"/> applies one update to a parameter vector from its gradient. Order per step,
    /// as Keras's <c>BaseOptimizer</c>: gradient clipping (off by default), decoupled weight decay on every parameter
    /// (<c>p -= p * weightDecay * learningRate</c>), then the rule of the subclass. The optimizer keeps its own state
    /// (moments), allocated on the first step and reused after, so steps allocate nothing.
    /// </summary>
    public abstract class Optimizer
    {
        private int _size = -1;

        /// <summary>Creates an optimizer with the given learning rate and decoupled weight decay (0: none).</summary>
        protected Optimizer(float learningRate, float weightDecay)
        {
            LearningRate = learningRate;
            WeightDecay = weightDecay;
        }

        /// <summary>The learning rate; settable between steps (for schedules).</summary>
        public float LearningRate
        {
            get => _learningRate;
            set => _learningRate = value > 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be positive and finite.");
        }
        private float _learningRate;

        /// <summary>Decoupled weight decay (Keras <c>weight_decay</c>); 0 turns it off.</summary>
        public float WeightDecay
        {
            get => _weightDecay;
            set => _weightDecay = value >= 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Weight decay must be non-negative and finite.");
        }
        private float _weightDecay;

        /// <summary>
        /// Keras <c>clipnorm</c>: each weight tensor's gradient (every kernel and every bias on its own) is scaled to an L2
        /// norm of at most this, <c>g * c / max(norm, c)</c>. Needs the tensor sizes: use
        /// <see cref="Step(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{int})"/> with <see cref="IModel.TensorSizes"/>
        /// (<c>Fit</c> does). Exclusive with <see cref="GlobalClipNorm"/>, as in Keras; when set, <see cref="ClipValue"/>
        /// is not applied (Keras clips by one rule: clipnorm, else global_clipnorm, else clipvalue).
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">Not positive and finite.</exception>
        /// <exception cref="InvalidOperationException"><see cref="GlobalClipNorm"/> is set.</exception>
        public float? ClipNorm
        {
            get => _clipNorm;
            set
            {
                if (value is not null && GlobalClipNorm is not null) throw new InvalidOperationException("Only one of ClipNorm and GlobalClipNorm can be set (as in Keras).");
                _clipNorm = value is null ? null : Positive(value.Value, nameof(ClipNorm));
            }
        }
        private float? _clipNorm;

        /// <summary>
        /// Keras <c>global_clipnorm</c>: all gradients together are scaled to an L2 norm of at most this. Exclusive with
        /// <see cref="ClipNorm"/>; when set, <see cref="ClipValue"/> is not applied.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">Not positive and finite.</exception>
        /// <exception cref="InvalidOperationException"><see cref="ClipNorm"/> is set.</exception>
        public float? GlobalClipNorm
        {
            get => _globalClipNorm;
            set
            {
                if (value is not null && ClipNorm is not null) throw new InvalidOperationException("Only one of ClipNorm and GlobalClipNorm can be set (as in Keras).");
                _globalClipNorm = value is null ? null : Positive(value.Value, nameof(GlobalClipNorm));
            }
        }
        private float? _globalClipNorm;

        /// <summary>Keras <c>clipvalue</c>: each gradient entry is clipped to [-ClipValue, ClipValue], unless a norm clip is set.</summary>
        /// <exception cref="ArgumentOutOfRangeException">Not positive and finite.</exception>
        public float? ClipValue
        {
            get => _clipValue;
            set => _clipValue = value is null ? null : Positive(value.Value, nameof(ClipValue));
        }
        private float? _clipValue;

        /// <summary>Steps taken so far (Keras <c>iterations</c>); the next step uses t = Iterations + 1.</summary>
        public long Iterations { get; private set; }

        private float[] _clipped = Array.Empty<float>();

        /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradient"/>.</summary>
        /// <exception cref="ArgumentException">The lengths differ, or differ from the previous steps'.</exception>
        /// <exception cref="InvalidOperationException"><see cref="ClipNorm"/> is set: it needs the tensor sizes.</exception>
        public void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
        {
            if (ClipNorm is not null)
            {
                throw new InvalidOperationException("ClipNorm clips each weight tensor on its own (Keras clipnorm), so the step needs the tensor sizes: "
                    + "call Step(parameters, gradient, model.TensorSizes), or use GlobalClipNorm for one norm over all the parameters.");
            }
            Step(parameters, gradient, ReadOnlySpan<int>.Empty);
        }

        /// <summary>
        /// Applies one update to <paramref name="parameters"/> from <paramref name="gradient"/>, whose weight tensors have the
        /// lengths <paramref name="tensorSizes"/> in order (<see cref="IModel.TensorSizes"/>; needed by <see cref="ClipNorm"/>,
        /// ignored otherwise, and may be empty then).
        /// </summary>
        /// <exception cref="ArgumentException">The lengths differ, or differ from the previous steps', or the tensor sizes do not add up.</exception>
        public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<int> tensorSizes)
        {
            if (parameters.Length != gradient.Length)
            {
                throw new ArgumentException($"gradient has {gradient.Length} floats but parameters has {parameters.Length}; they must match.", nameof(gradient));
            }
            if (ClipNorm is not null)
            {
                long total = 0;
                foreach (int size in tensorSizes)
                {
                    if (size < 0) throw new ArgumentException("Tensor sizes must not be negative.", nameof(tensorSizes));
                    total += size;
                }
                if (total != parameters.Length)
                {
                    throw new ArgumentException($"The tensor sizes add up to {total}, but there are {parameters.Length} parameters.", nameof(tensorSizes));
                }
            }
            if (_size < 0)
            {
                _size = parameters.Length;
                Allocate(_size);
            }
            else if (_size != parameters.Length)
            {
                throw new ArgumentException($"This optimizer's state is for {_size} parameters, but parameters has {parameters.Length}; use one optimizer per model or call Reset().", nameof(parameters));
            }

            Iterations++;
            // Per-step constants once, in double (weight decay x learning rate: the product of two floats is exact there).
            float decay = (float)((double)WeightDecay * LearningRate);
            if (Fused)
            {
                FusedStep(parameters, gradient, tensorSizes, decay);
                return;
            }
            Update(parameters, Clipped(gradient, tensorSizes), decay, Iterations);
        }

        /// <summary>
        /// The built-in rules clip inside their one pass over the arrays (<see cref="BeginStep"/>, then <see cref="UpdateRun"/>
        /// per run); a subclass from outside gets the clipped gradient in a buffer and its <see cref="Update"/>.
        /// </summary>
        private protected virtual bool Fused => false;

        /// <summary>Computes the step's constants (bias corrections, step sizes) for step t = <see cref="Iterations"/>.</summary>
        private protected virtual void BeginStep(long t)
        {
        }

        /// <summary>
        /// Updates the run of parameters that starts at <paramref name="offset"/> in the whole vector (the state arrays are
        /// indexed from there), reading the gradient as <paramref name="clip"/> and <paramref name="factors"/> say. Picks the loop specialised for the step's options.
        /// </summary>
        private protected void UpdateRun(Span<float> parameters, ReadOnlySpan<float> gradient, int offset, StepFactors factors, Clip clip)
        {
            if (factors.Decay > 0) UpdateRun<Yes>(parameters, gradient, offset, factors, clip);
            else UpdateRun<No>(parameters, gradient, offset, factors, clip);
        }

        private void UpdateRun<TDecay>(Span<float> parameters, ReadOnlySpan<float> gradient, int offset, StepFactors factors, Clip clip) where TDecay : struct, IFlag
        {
            switch (clip)
            {
                case Clip.Norm: Run<TDecay, NormClip>(parameters, gradient, offset, factors); break;
                case Clip.Value: Run<TDecay, ValueClip>(parameters, gradient, offset, factors); break;
                default: Run<TDecay, NoClip>(parameters, gradient, offset, factors); break;
            }
        }

        /// <summary>The rule's fused loop with weight decay and the clip value on or off (the built-in rules override it).</summary>
        private protected virtual void Run<TDecay, TClip>(Span<float> parameters, ReadOnlySpan<float> gradient, int offset, StepFactors factors)
            where TDecay : struct, IFlag where TClip : struct, IClip => throw new NotSupportedException();

        /// <summary>The clip rule of a step, as the fused loops apply it.</summary>
        private protected enum Clip { None, Norm, Value }

        private void FusedStep(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<int> tensorSizes, float decay)
        {
            BeginStep(Iterations);
            if (ClipNorm is float c)
            {
                // Keras _clip_by_norm, per tensor: g * c / max(norm, c); each tensor's norm pass, then its update.
                int at = 0;
                foreach (int size in tensorSizes)
                {
                    ReadOnlySpan<float> tensor = gradient.Slice(at, size);
                    UpdateRun(parameters.Slice(at, size), tensor, at, new StepFactors((float)(c / Math.Max(Norm(tensor), c)), 0, decay), Clip.Norm);
                    at += size;
                }
            }
            else if (GlobalClipNorm is float global)
            {
                UpdateRun(parameters, gradient, 0, new StepFactors((float)GlobalScale(Norm(gradient), global), 0, decay), Clip.Norm);
            }
            else
            {
                UpdateRun(parameters, gradient, 0, new StepFactors(1, ClipValue ?? 0, decay), ClipValue is null ? Clip.None : Clip.Value);
            }
        }

        // The clipped gradient in a buffer, for Update (subclasses from outside the library).
        private ReadOnlySpan<float> Clipped(ReadOnlySpan<float> gradient, ReadOnlySpan<int> tensorSizes)
        {
            if (ClipNorm is null && GlobalClipNorm is null && ClipValue is null) return gradient;
            if (_clipped.Length != gradient.Length) _clipped = new float[gradient.Length];
            Span<float> clipped = _clipped;
            if (ClipNorm is float c)
            {
                int at = 0;
                foreach (int size in tensorSizes)
                {
                    ReadOnlySpan<float> tensor = gradient.Slice(at, size);
                    Scale(tensor, clipped.Slice(at, size), (float)(c / Math.Max(Norm(tensor), c)));
                    at += size;
                }
            }
            else if (GlobalClipNorm is float global)
            {
                Scale(gradient, clipped, (float)GlobalScale(Norm(gradient), global));
            }
            else
            {
                float v = ClipValue!.Value;
                for (int i = 0; i < gradient.Length; i++) clipped[i] = Math.Clamp(gradient[i], -v, v);
            }
            return clipped;
        }

        // Keras clip_by_global_norm: scale = c * min(1 / norm, 1 / c); a non-finite norm makes it NaN.
        private static double GlobalScale(double norm, float c) => c * Math.Min(1 / norm, 1.0 / c) + (norm - norm);

        // The L2 norm, summed in double.
        private static double Norm(ReadOnlySpan<float> g) => Math.Sqrt(Tiers.SumOfSquares(g));

        // A norm clip: one float multiply per entry by the factor (computed in double, rounded once), as the fused rules do.
        private static void Scale(ReadOnlySpan<float> g, Span<float> into, float factor)
        {
            for (int i = 0; i < g.Length; i++) into[i] = g[i] * factor;
        }

        /// <summary>Forgets the state (moments and iteration count), as a fresh optimizer.</summary>
        public void Reset()
        {
            _size = -1;
            Iterations = 0;
        }

        /// <summary>Allocates the state for <paramref name="size"/> parameters (zeroed).</summary>
        protected abstract void Allocate(int size);

        /// <summary>
        /// Applies the rule at step <paramref name="t"/> (1-based) to a gradient that is already clipped;
        /// <paramref name="decay"/> = weight decay x learning rate, applied first.
        /// </summary>
        protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradient, float decay, long t);

        /// <summary>Throws unless <paramref name="value"/> is in [0, 1).</summary>
        protected static float Fraction(float value, string name) =>
            value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");

        /// <summary>Throws unless <paramref name="value"/> is positive and finite.</summary>
        protected static float Positive(float value, string name) =>
            value > 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
    }

    /// <summary>Keras 3 SGD: <c>m = momentum m - lr g; p += m</c> (Nesterov: <c>p += momentum m - lr g</c>); plain <c>p -= lr g</c> without momentum.</summary>
    public sealed class Sgd : Optimizer
    {
        private AlignedState _m;

        /// <summary>Keras defaults: learning rate 0.01, momentum 0, no Nesterov.</summary>
        public Sgd(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false, float weightDecay = 0f)
            : base(learningRate, weightDecay)
        {
            Momentum = Fraction(momentum, nameof(momentum));
            Nesterov = nesterov;
        }

        /// <summary>Momentum in [0, 1).</summary>
        public float Momentum { get; }

        /// <summary>Nesterov momentum.</summary>
        public bool Nesterov { get; }

        /// <inheritdoc/>
        protected override void Allocate(int size) => _m = new AlignedState(Momentum > 0 ? size : 0);

        /// <inheritdoc/>
        protected override void Update(Span<float> p, ReadOnlySpan<float> gradient, float decay, long t) => UpdateRun(p, gradient, 0, new StepFactors(1, 0, decay), Clip.None);

        private protected override bool Fused => true;

        private protected override void Run<TDecay, TClip>(Span<float> p, ReadOnlySpan<float> g, int offset, StepFactors f)
        {
            if (Momentum == 0) Run<TDecay, TClip, No, No>(p, g, offset, f);
            else if (Nesterov) Run<TDecay, TClip, Yes, Yes>(p, g, offset, f);
            else Run<TDecay, TClip, Yes, No>(p, g, offset, f);
        }

        private void Run<TDecay, TClip, TMomentum, TNesterov>(Span<float> p, ReadOnlySpan<float> g, int offset, StepFactors f)
            where TDecay : struct, IFlag where TClip : struct, IClip where TMomentum : struct, IFlag where TNesterov : struct, IFlag
        {
            var rule = new SgdRule<TDecay, TClip, TMomentum, TNesterov>(ref MemoryMarshal.GetReference(p), ref MemoryMarshal.GetReference(g), ref _m.At(offset),
                f, LearningRate, Momentum);
            Tiers.Run(ref rule, p.Length);
        }
    }

    /// <summary>
    /// Keras 3 Adam: <c>alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t)</c>; <c>m += (g - m)(1 - beta1)</c>;
    /// <c>v += (g^2 - v)(1 - beta2)</c>; <c>p -= alpha m / (sqrt(v) + epsilon)</c> (epsilon outside the root, unlike
    /// PyTorch's placement); with AMSGrad the running maximum of v is used.
    /// </summary>
    public class Adam : Optimizer
    {
        private AlignedState _m, _v, _vMax;

        /// <summary>Keras defaults: learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, no AMSGrad.</summary>
        public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f, bool amsgrad = false)
            : this(learningRate, 0f, beta1, beta2, epsilon, amsgrad)
        {
        }

        /// <summary>For <see cref="AdamW"/>: Adam with decoupled weight decay.</summary>
        protected Adam(float learningRate, float weightDecay, float beta1, float beta2, float epsilon, bool amsgrad)
            : base(learningRate, weightDecay)
        {
            Beta1 = Fraction(beta1, nameof(beta1));
            Beta2 = Fraction(beta2, nameof(beta2));
            Epsilon = Positive(epsilon, nameof(epsilon));
            Amsgrad = amsgrad;
        }

        /// <summary>Decay of the first moment.</summary>
        public float Beta1 { get; }

        /// <summary>Decay of the second moment.</summary>
        public float Beta2 { get; }

        /// <summary>Added to sqrt(v) (outside the root).</summary>
        public float Epsilon { get; }

        /// <summary>Whether the running maximum of v is used (AMSGrad).</summary>
        public bool Amsgrad { get; }

        /// <inheritdoc/>
        protected override void Allocate(int size)
        {
            _m = new AlignedState(size);
            _v = new AlignedState(size);
            _vMax = new AlignedState(Amsgrad ? size : 0);
        }

        /// <inheritdoc/>
        protected override void Update(Span<float> p, ReadOnlySpan<float> gradient, float decay, long t)
        {
            BeginStep(t);
            UpdateRun(p, gradient, 0, new StepFactors(1, 0, decay), Clip.None);
        }

        private protected override bool Fused => true;

        // alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t), in double, once per step.
        private protected override void BeginStep(long t) =>
            _alpha = (float)(LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t)));

        private float _alpha;

        private protected override void Run<TDecay, TClip>(Span<float> p, ReadOnlySpan<float> g, int offset, StepFactors f)
        {
            if (Amsgrad) Run<TDecay, TClip, Yes>(p, g, offset, f);
            else Run<TDecay, TClip, No>(p, g, offset, f);
        }

        private void Run<TDecay, TClip, TAmsgrad>(Span<float> p, ReadOnlySpan<float> g, int offset, StepFactors f)
            where TDecay : struct, IFlag where TClip : struct, IClip where TAmsgrad : struct, IFlag
        {
            // 1 - beta in float, as Keras's float32 variables give it.
            var rule = new AdamRule<TDecay, TClip, TAmsgrad>(ref MemoryMarshal.GetReference(p), ref MemoryMarshal.GetReference(g), ref _m.At(offset), ref _v.At(offset),
                ref _vMax.At(offset), f, _alpha, 1 - Beta1, 1 - Beta2, Epsilon);
            Tiers.Run(ref rule, p.Length);
        }
    }

    /// <summary>Keras 3 AdamW: Adam with decoupled weight decay (default 0.004) applied to every parameter before the update.</summary>
    public sealed class AdamW : Adam
    {
        /// <summary>Keras defaults: learning rate 0.001, weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7.</summary>
        public AdamW(float learningRate = 0.001f, float weightDecay = 0.004f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f, bool amsgrad = false)
            : base(learningRate, weightDecay, beta1, beta2, epsilon, amsgrad)
        {
        }
    }

    /// <summary>
    /// Keras 3 RMSprop: <c>v = rho v + (1 - rho) g^2</c>; centered: <c>a = rho a + (1 - rho) g</c> and
    /// <c>denominator = v - a^2 + eps</c>, else <c>v + eps</c> (epsilon inside the root); <c>inc = lr g / sqrt(denominator)</c>;
    /// with momentum <c>mom = momentum mom + inc; p -= mom</c>, else <c>p -= inc</c>.
    /// </summary>
    public sealed class RmsProp : Optimizer
    {
        private AlignedState _v, _a, _mom;

        /// <summary>Keras defaults: learning rate 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered.</summary>
        public RmsProp(float learningRate = 0.001f, float rho = 0.9f, float momentum = 0f, float epsilon = 1e-7f, bool centered = false, float weightDecay = 0f)
            : base(learningRate, weightDecay)
        {
            Rho = Fraction(rho, nameof(rho));
            Momentum = Fraction(momentum, nameof(momentum));
            Epsilon = Positive(epsilon, nameof(epsilon));
            Centered = centered;
        }

        /// <summary>Decay of the squared-gradient average.</summary>
        public float Rho { get; }

        /// <summary>Momentum in [0, 1).</summary>
        public float Momentum { get; }

        /// <summary>Added inside the root.</summary>
        public float Epsilon { get; }

        /// <summary>Whether the variance (minus the squared mean gradient) is used.</summary>
        public bool Centered { get; }

        /// <inheritdoc/>
        protected override void Allocate(int size)
        {
            _v = new AlignedState(size);
            _a = new AlignedState(Centered ? size : 0);
            _mom = new AlignedState(Momentum > 0 ? size : 0);
        }

        /// <inheritdoc/>
        protected override void Update(Span<float> p, ReadOnlySpan<float> gradient, float decay, long t) => UpdateRun(p, gradient, 0, new StepFactors(1, 0, decay), Clip.None);

        private protected override bool Fused => true;

        private protected override void Run<TDecay, TClip>(Span<float> p, ReadOnlySpan<float> g, int offset, StepFactors f)
        {
            if (Centered)
            {
                if (Momentum > 0) Run<TDecay, TClip, Yes, Yes>(p, g, offset, f);
                else Run<TDecay, TClip, Yes, No>(p, g, offset, f);
            }
            else
            {
                if (Momentum > 0) Run<TDecay, TClip, No, Yes>(p, g, offset, f);
                else Run<TDecay, TClip, No, No>(p, g, offset, f);
            }
        }

        private void Run<TDecay, TClip, TCentered, TMomentum>(Span<float> p, ReadOnlySpan<float> g, int offset, StepFactors f)
            where TDecay : struct, IFlag where TClip : struct, IClip where TCentered : struct, IFlag where TMomentum : struct, IFlag
        {
            var rule = new RmsPropRule<TDecay, TClip, TCentered, TMomentum>(ref MemoryMarshal.GetReference(p), ref MemoryMarshal.GetReference(g), ref _v.At(offset),
                ref _a.At(offset), ref _mom.At(offset), f, LearningRate, Rho, 1 - Rho, Epsilon, Momentum);
            Tiers.Run(ref rule, p.Length);
        }
    }
}
