using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Kernels;

namespace ModelGen
{
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
        nint Run<TV, TL>(nint start, nint end) where TV : struct where TL : struct, ISimd<TV>;
    }

    /// <summary>
    /// The gradient as a rule reads it (<see cref="Optimizer"/> clipping, fused into the update): each entry times
    /// <see cref="Scale"/> (a norm clip's factor, computed in double and rounded to float once per step: one float multiply
    /// per entry, as Keras computes clipping in float32) when a rule's scale flag is set, or clamped to
    /// [-<see cref="Limit"/>, <see cref="Limit"/>] when its clamp flag is set. <see cref="Decay"/> is weight decay x
    /// learning rate, applied to the parameter first when a rule's decay flag is set.
    /// </summary>
    internal readonly record struct StepFactors(float Scale, float Limit, float Decay);

    /// <summary>How a rule reads the gradient: as it is, scaled by a norm clip, or clamped to the clip value.</summary>
    internal interface IClip
    {
        static abstract TV Apply<TV, TL>(TV g, TV scale, TV low, TV high) where TV : struct where TL : struct, ISimd<TV>;
    }

    internal readonly struct NoClip : IClip
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV, TL>(TV g, TV scale, TV low, TV high) where TV : struct where TL : struct, ISimd<TV> => g;
    }

    internal readonly struct NormClip : IClip
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV, TL>(TV g, TV scale, TV low, TV high) where TV : struct where TL : struct, ISimd<TV> => TL.Multiply(g, scale);
    }

    internal readonly struct ValueClip : IClip
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV, TL>(TV g, TV scale, TV low, TV high) where TV : struct where TL : struct, ISimd<TV> => TL.Clamp(g, low, high);
    }

    /// <summary>Runs a rule once over n elements: the widest accelerated tier (chosen once), then the scalar tail.</summary>
    internal static class Tiers
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run<TRule>(ref TRule rule, int length) where TRule : IRule, allows ref struct
        {
            nint n = length, i = 0;
            if (Vector512.IsHardwareAccelerated) i = rule.Run<Vector512<float>, Simd512>(0, n);
            else if (Vector256.IsHardwareAccelerated) i = rule.Run<Vector256<float>, Simd256>(0, n);
            else if (Vector128.IsHardwareAccelerated) i = rule.Run<Vector128<float>, Simd128>(0, n);
            rule.Run<float, Simd1>(i, n);
        }

        /// <summary>The gradient entry at <paramref name="i"/> after clipping (see <see cref="StepFactors"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Gradient<TV, TL, TClip>(ref float g, nint i, TV scale, TV low, TV high)
            where TV : struct where TL : struct, ISimd<TV> where TClip : struct, IClip =>
            TClip.Apply<TV, TL>(TL.Load(ref g, i), scale, low, high);

        /// <summary>Decoupled weight decay, <c>p - p * decay</c>, when <typeparamref name="TDecay"/> is set.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Decayed<TV, TL, TDecay>(TV p, TV decay) where TV : struct where TL : struct, ISimd<TV> where TDecay : struct, IFlag =>
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

        public nint Run<TV, TL>(nint start, nint end) where TV : struct where TL : struct, ISimd<TV>
        {
            TV scale = TL.Broadcast(f.Scale);
            TV low = TL.Broadcast(-f.Limit), high = TL.Broadcast(f.Limit), decay = TL.Broadcast(f.Decay);
            TV lr = TL.Broadcast(learningRate), mu = TL.Broadcast(momentum);
            // The refs in locals: read through `this` in the loop, the JIT reloads them after every store (a store might change them).
            ref float pr = ref this._p, gr = ref this._g, mr = ref this._m;
            nint i = start;
            for (; i + TL.Lanes <= end; i += TL.Lanes)
            {
                TV gi = Tiers.Gradient<TV, TL, TClip>(ref gr, i, scale, low, high);
                TV pi = Tiers.Decayed<TV, TL, TDecay>(TL.Load(ref pr, i), decay);
                TV step = TL.Multiply(lr, gi);
                if (TMomentum.On)
                {
                    TV mi = TL.Subtract(TL.Multiply(mu, TL.Load(ref mr, i)), step);
                    TL.Store(mi, ref mr, i);
                    pi = TL.Add(pi, TNesterov.On ? TL.Subtract(TL.Multiply(mu, mi), step) : mi);
                }
                else
                {
                    pi = TL.Subtract(pi, step);
                }
                TL.Store(pi, ref pr, i);
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

        public nint Run<TV, TL>(nint start, nint end) where TV : struct where TL : struct, ISimd<TV>
        {
            TV scale = TL.Broadcast(f.Scale);
            TV low = TL.Broadcast(-f.Limit), high = TL.Broadcast(f.Limit), decay = TL.Broadcast(f.Decay);
            TV a = TL.Broadcast(alpha), c1 = TL.Broadcast(oneMinusBeta1), c2 = TL.Broadcast(oneMinusBeta2), eps = TL.Broadcast(epsilon);
            ref float pr = ref this._p, gr = ref this._g, mr = ref this._m, vr = ref this._v, vMaxr = ref this._vMax;
            nint i = start;
            for (; i + TL.Lanes <= end; i += TL.Lanes)
            {
                TV gi = Tiers.Gradient<TV, TL, TClip>(ref gr, i, scale, low, high);
                TV pi = Tiers.Decayed<TV, TL, TDecay>(TL.Load(ref pr, i), decay);
                TV mi = TL.Load(ref mr, i);
                mi = TL.Add(mi, TL.Multiply(TL.Subtract(gi, mi), c1));
                TL.Store(mi, ref mr, i);
                TV vi = TL.Load(ref vr, i);
                vi = TL.Add(vi, TL.Multiply(TL.Subtract(TL.Multiply(gi, gi), vi), c2));
                TL.Store(vi, ref vr, i);
                if (TAmsgrad.On)
                {
                    vi = TL.Max(TL.Load(ref vMaxr, i), vi);
                    TL.Store(vi, ref vMaxr, i);
                }
                pi = TL.Subtract(pi, TL.Divide(TL.Multiply(a, mi), TL.Add(TL.Sqrt(vi), eps)));
                TL.Store(pi, ref pr, i);
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

        public nint Run<TV, TL>(nint start, nint end) where TV : struct where TL : struct, ISimd<TV>
        {
            TV scale = TL.Broadcast(f.Scale);
            TV low = TL.Broadcast(-f.Limit), high = TL.Broadcast(f.Limit), decay = TL.Broadcast(f.Decay);
            TV lr = TL.Broadcast(learningRate), r = TL.Broadcast(rho), c = TL.Broadcast(oneMinusRho), eps = TL.Broadcast(epsilon), mu = TL.Broadcast(momentum);
            ref float pr = ref this._p, gr = ref this._g, vr = ref this._v, ar = ref this._a, momr = ref this._mom;
            nint i = start;
            for (; i + TL.Lanes <= end; i += TL.Lanes)
            {
                TV gi = Tiers.Gradient<TV, TL, TClip>(ref gr, i, scale, low, high);
                TV pi = Tiers.Decayed<TV, TL, TDecay>(TL.Load(ref pr, i), decay);
                TV vi = TL.Add(TL.Multiply(r, TL.Load(ref vr, i)), TL.Multiply(TL.Multiply(c, gi), gi));
                TL.Store(vi, ref vr, i);
                TV denominator;
                if (TCentered.On)
                {
                    TV ai = TL.Add(TL.Multiply(r, TL.Load(ref ar, i)), TL.Multiply(c, gi));
                    TL.Store(ai, ref ar, i);
                    denominator = TL.Add(TL.Subtract(vi, TL.Multiply(ai, ai)), eps);
                }
                else
                {
                    denominator = TL.Add(vi, eps);
                }
                TV increment = TL.Divide(TL.Multiply(lr, gi), TL.Sqrt(denominator));
                if (TMomentum.On)
                {
                    increment = TL.Add(TL.Multiply(mu, TL.Load(ref momr, i)), increment);
                    TL.Store(increment, ref momr, i);
                }
                TL.Store(TL.Subtract(pi, increment), ref pr, i);
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
