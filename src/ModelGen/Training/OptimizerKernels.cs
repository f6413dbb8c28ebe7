using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen
{
    /// <summary>
    /// The lane operations an optimizer rule is written in, once, for every tier: <see cref="Lanes512"/>,
    /// <see cref="Lanes256"/>, <see cref="Lanes128"/> and <see cref="Lanes1"/> (one float, for the tail and for machines
    /// without vector hardware). Every operation is the correctly rounded IEEE one (no fused multiply-add), so each tier
    /// gives the scalar formula's result bit for bit.
    /// </summary>
    internal interface ILanes<TV> where TV : struct
    {
        static abstract nuint Count { get; }
        static abstract TV Load(ref float source, nuint index);
        static abstract void Store(TV value, ref float destination, nuint index);
        static abstract TV Splat(float value);
        static abstract TV Add(TV a, TV b);
        static abstract TV Subtract(TV a, TV b);
        static abstract TV Multiply(TV a, TV b);
        static abstract TV Divide(TV a, TV b);
        static abstract TV Sqrt(TV a);
        static abstract TV Max(TV a, TV b);
        static abstract TV Clamp(TV a, TV low, TV high);

        /// <summary><c>(float)(a * scale)</c> lane-wise: the product in double, rounded once to float.</summary>
        static abstract TV MultiplyInDouble(TV a, double scale);
    }

    internal readonly struct Lanes512 : ILanes<Vector512<float>>
    {
        public static nuint Count => 16;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float value) => Vector512.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Clamp(Vector512<float> a, Vector512<float> low, Vector512<float> high) => Vector512.Clamp(a, low, high);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyInDouble(Vector512<float> a, double scale)
        {
            (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(a);
            Vector512<double> s = Vector512.Create(scale);
            return Vector512.Narrow(lo * s, hi * s);
        }
    }

    internal readonly struct Lanes256 : ILanes<Vector256<float>>
    {
        public static nuint Count => 8;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float value) => Vector256.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Clamp(Vector256<float> a, Vector256<float> low, Vector256<float> high) => Vector256.Clamp(a, low, high);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyInDouble(Vector256<float> a, double scale)
        {
            (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(a);
            Vector256<double> s = Vector256.Create(scale);
            return Vector256.Narrow(lo * s, hi * s);
        }
    }

    internal readonly struct Lanes128 : ILanes<Vector128<float>>
    {
        public static nuint Count => 4;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float source, nuint index) => Vector128.LoadUnsafe(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float value) => Vector128.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Clamp(Vector128<float> a, Vector128<float> low, Vector128<float> high) => Vector128.Clamp(a, low, high);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MultiplyInDouble(Vector128<float> a, double scale)
        {
            (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(a);
            Vector128<double> s = Vector128.Create(scale);
            return Vector128.Narrow(lo * s, hi * s);
        }
    }

    internal readonly struct Lanes1 : ILanes<float>
    {
        public static nuint Count => 1;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float source, nuint index) => Unsafe.Add(ref source, index);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination, nuint index) => Unsafe.Add(ref destination, index) = value;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float value) => value;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float a, float b) => a / b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Clamp(float a, float low, float high) => Math.Clamp(a, low, high);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyInDouble(float a, double scale) => (float)(a * scale);
    }

    /// <summary>A compile-time option: the JIT specialises a rule per flag and drops the branches of the other setting.</summary>
    internal interface IFlag
    {
        static abstract bool On { get; }
    }

    internal readonly struct Yes : IFlag
    {
        public static bool On => true;
    }

    internal readonly struct No : IFlag
    {
        public static bool On => false;
    }

    /// <summary>One optimizer rule over elements [start, end) in steps of a tier's lane count; returns where it stopped.</summary>
    internal interface IRule
    {
        nuint Run<TV, TL>(nuint start, nuint end) where TV : struct where TL : struct, ILanes<TV>;
    }

    /// <summary>
    /// The gradient as a rule reads it (<see cref="Optimizer"/> clipping, fused into the update): each entry times
    /// <see cref="Scale"/> in double (a norm clip's factor) when a rule's scale flag is set, or clamped to
    /// [-<see cref="Limit"/>, <see cref="Limit"/>] when its clamp flag is set. <see cref="Decay"/> is weight decay x
    /// learning rate, applied to the parameter first when a rule's decay flag is set.
    /// </summary>
    internal readonly record struct StepFactors(double Scale, float Limit, float Decay);

    /// <summary>How a rule reads the gradient: as it is, scaled by a norm clip, or clamped to the clip value.</summary>
    internal interface IClip
    {
        static abstract TV Apply<TV, TL>(TV g, double scale, TV low, TV high) where TV : struct where TL : struct, ILanes<TV>;
    }

    internal readonly struct NoClip : IClip
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV, TL>(TV g, double scale, TV low, TV high) where TV : struct where TL : struct, ILanes<TV> => g;
    }

    internal readonly struct NormClip : IClip
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV, TL>(TV g, double scale, TV low, TV high) where TV : struct where TL : struct, ILanes<TV> => TL.MultiplyInDouble(g, scale);
    }

    internal readonly struct ValueClip : IClip
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV, TL>(TV g, double scale, TV low, TV high) where TV : struct where TL : struct, ILanes<TV> => TL.Clamp(g, low, high);
    }

    /// <summary>Runs a rule once over n elements: the widest accelerated tier (chosen once), then the scalar tail.</summary>
    internal static class Tiers
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TRule>(ref TRule rule, int length) where TRule : IRule, allows ref struct
        {
            nuint n = (nuint)length, i = 0;
            if (Vector512.IsHardwareAccelerated) i = rule.Run<Vector512<float>, Lanes512>(0, n);
            else if (Vector256.IsHardwareAccelerated) i = rule.Run<Vector256<float>, Lanes256>(0, n);
            else if (Vector128.IsHardwareAccelerated) i = rule.Run<Vector128<float>, Lanes128>(0, n);
            rule.Run<float, Lanes1>(i, n);
        }

        /// <summary>The gradient entry at <paramref name="i"/> after clipping (see <see cref="StepFactors"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Gradient<TV, TL, TClip>(ref float g, nuint i, double scale, TV low, TV high)
            where TV : struct where TL : struct, ILanes<TV> where TClip : struct, IClip =>
            TClip.Apply<TV, TL>(TL.Load(ref g, i), scale, low, high);

        /// <summary>Decoupled weight decay, <c>p - p * decay</c>, when <typeparamref name="TDecay"/> is set.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Decayed<TV, TL, TDecay>(TV p, TV decay) where TV : struct where TL : struct, ILanes<TV> where TDecay : struct, IFlag =>
            TDecay.On ? TL.Subtract(p, TL.Multiply(p, decay)) : p;

        /// <summary>The sum of squares in double (exact products; a few interleaved partial sums).</summary>
        public static double SumOfSquares(ReadOnlySpan<float> values)
        {
            ref float r = ref MemoryMarshal.GetReference(values);
            nuint n = (nuint)values.Length, i = 0;
            double total = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<double> a = Vector512<double>.Zero, b = Vector512<double>.Zero;
                for (; i + 16 <= n; i += 16)
                {
                    (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref r, i));
                    a += lo * lo;
                    b += hi * hi;
                }
                total = Vector512.Sum(a + b);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                Vector256<double> a = Vector256<double>.Zero, b = Vector256<double>.Zero;
                for (; i + 8 <= n; i += 8)
                {
                    (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref r, i));
                    a += lo * lo;
                    b += hi * hi;
                }
                total = Vector256.Sum(a + b);
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                Vector128<double> a = Vector128<double>.Zero, b = Vector128<double>.Zero;
                for (; i + 4 <= n; i += 4)
                {
                    (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(Vector128.LoadUnsafe(ref r, i));
                    a += lo * lo;
                    b += hi * hi;
                }
                total = Vector128.Sum(a + b);
            }
            for (; i < n; i++)
            {
                double v = Unsafe.Add(ref r, i);
                total += v * v;
            }
            return total;
        }
    }

    /// <summary>Keras SGD over a run: plain, with momentum, or Nesterov.</summary>
    internal ref struct SgdRule<TDecay, TClip, TMomentum, TNesterov>(ref float p, ref float g, ref float m, StepFactors f, float learningRate, float momentum) : IRule
        where TDecay : struct, IFlag where TClip : struct, IClip where TMomentum : struct, IFlag where TNesterov : struct, IFlag
    {
        private readonly ref float _p = ref p, _g = ref g, _m = ref m;

        public nuint Run<TV, TL>(nuint start, nuint end) where TV : struct where TL : struct, ILanes<TV>
        {
            double scale = f.Scale;
            TV low = TL.Splat(-f.Limit), high = TL.Splat(f.Limit), decay = TL.Splat(f.Decay);
            TV lr = TL.Splat(learningRate), mu = TL.Splat(momentum);
            nuint i = start;
            for (; i + TL.Count <= end; i += TL.Count)
            {
                TV gi = Tiers.Gradient<TV, TL, TClip>(ref _g, i, scale, low, high);
                TV pi = Tiers.Decayed<TV, TL, TDecay>(TL.Load(ref _p, i), decay);
                TV step = TL.Multiply(lr, gi);
                if (TMomentum.On)
                {
                    TV mi = TL.Subtract(TL.Multiply(mu, TL.Load(ref _m, i)), step);
                    TL.Store(mi, ref _m, i);
                    pi = TL.Add(pi, TNesterov.On ? TL.Subtract(TL.Multiply(mu, mi), step) : mi);
                }
                else
                {
                    pi = TL.Subtract(pi, step);
                }
                TL.Store(pi, ref _p, i);
            }
            return i;
        }
    }

    /// <summary>Keras Adam over a run, with or without AMSGrad; <c>alpha</c> carries both bias corrections.</summary>
    internal ref struct AdamRule<TDecay, TClip, TAmsgrad>(ref float p, ref float g, ref float m, ref float v, ref float vMax, StepFactors f,
        float alpha, float oneMinusBeta1, float oneMinusBeta2, float epsilon) : IRule
        where TDecay : struct, IFlag where TClip : struct, IClip where TAmsgrad : struct, IFlag
    {
        private readonly ref float _p = ref p, _g = ref g, _m = ref m, _v = ref v, _vMax = ref vMax;

        public nuint Run<TV, TL>(nuint start, nuint end) where TV : struct where TL : struct, ILanes<TV>
        {
            double scale = f.Scale;
            TV low = TL.Splat(-f.Limit), high = TL.Splat(f.Limit), decay = TL.Splat(f.Decay);
            TV a = TL.Splat(alpha), c1 = TL.Splat(oneMinusBeta1), c2 = TL.Splat(oneMinusBeta2), eps = TL.Splat(epsilon);
            nuint i = start;
            for (; i + TL.Count <= end; i += TL.Count)
            {
                TV gi = Tiers.Gradient<TV, TL, TClip>(ref _g, i, scale, low, high);
                TV pi = Tiers.Decayed<TV, TL, TDecay>(TL.Load(ref _p, i), decay);
                TV mi = TL.Load(ref _m, i);
                mi = TL.Add(mi, TL.Multiply(TL.Subtract(gi, mi), c1));
                TL.Store(mi, ref _m, i);
                TV vi = TL.Load(ref _v, i);
                vi = TL.Add(vi, TL.Multiply(TL.Subtract(TL.Multiply(gi, gi), vi), c2));
                TL.Store(vi, ref _v, i);
                if (TAmsgrad.On)
                {
                    vi = TL.Max(TL.Load(ref _vMax, i), vi);
                    TL.Store(vi, ref _vMax, i);
                }
                pi = TL.Subtract(pi, TL.Divide(TL.Multiply(a, mi), TL.Add(TL.Sqrt(vi), eps)));
                TL.Store(pi, ref _p, i);
            }
            return i;
        }
    }

    /// <summary>Keras RMSprop over a run: plain or centered, with or without momentum.</summary>
    internal ref struct RmsPropRule<TDecay, TClip, TCentered, TMomentum>(ref float p, ref float g, ref float v, ref float average, ref float mom, StepFactors f,
        float learningRate, float rho, float oneMinusRho, float epsilon, float momentum) : IRule
        where TDecay : struct, IFlag where TClip : struct, IClip where TCentered : struct, IFlag where TMomentum : struct, IFlag
    {
        private readonly ref float _p = ref p, _g = ref g, _v = ref v, _a = ref average, _mom = ref mom;

        public nuint Run<TV, TL>(nuint start, nuint end) where TV : struct where TL : struct, ILanes<TV>
        {
            double scale = f.Scale;
            TV low = TL.Splat(-f.Limit), high = TL.Splat(f.Limit), decay = TL.Splat(f.Decay);
            TV lr = TL.Splat(learningRate), r = TL.Splat(rho), c = TL.Splat(oneMinusRho), eps = TL.Splat(epsilon), mu = TL.Splat(momentum);
            nuint i = start;
            for (; i + TL.Count <= end; i += TL.Count)
            {
                TV gi = Tiers.Gradient<TV, TL, TClip>(ref _g, i, scale, low, high);
                TV pi = Tiers.Decayed<TV, TL, TDecay>(TL.Load(ref _p, i), decay);
                TV vi = TL.Add(TL.Multiply(r, TL.Load(ref _v, i)), TL.Multiply(TL.Multiply(c, gi), gi));
                TL.Store(vi, ref _v, i);
                TV denominator;
                if (TCentered.On)
                {
                    TV ai = TL.Add(TL.Multiply(r, TL.Load(ref _a, i)), TL.Multiply(c, gi));
                    TL.Store(ai, ref _a, i);
                    denominator = TL.Add(TL.Subtract(vi, TL.Multiply(ai, ai)), eps);
                }
                else
                {
                    denominator = TL.Add(vi, eps);
                }
                TV increment = TL.Divide(TL.Multiply(lr, gi), TL.Sqrt(denominator));
                if (TMomentum.On)
                {
                    increment = TL.Add(TL.Multiply(mu, TL.Load(ref _mom, i)), increment);
                    TL.Store(increment, ref _mom, i);
                }
                TL.Store(TL.Subtract(pi, increment), ref _p, i);
            }
            return i;
        }
    }

    /// <summary>
    /// An optimizer's state vector: zeroed, pinned and 64-byte aligned like the models' parameters, so the update's
    /// vectors never straddle cache lines. An option that is off has no array: its rule never reads it.
    /// </summary>
    internal readonly struct AlignedState
    {
        private readonly float[]? _array;
        private readonly int _start;

        /// <summary>A zeroed state of <paramref name="length"/> floats; none at all for 0 (an option that is off).</summary>
        public AlignedState(int length)
        {
            if (length > 0) _array = Aligned.Allocate(length, out _start);
        }

        /// <summary>The element at <paramref name="index"/> (a ref only: the rules read within the state's length).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref float At(int index) =>
            ref _array is null ? ref Unsafe.NullRef<float>() : ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _start + index);
    }
}
