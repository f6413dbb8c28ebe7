using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen
{
    /// <summary>
    /// A lane-wise activation passed as a type argument to generated layer methods: one method body serves the forward pass
    /// with the activation fused into its stores and the training pass that keeps the values before it
    /// (<see cref="LinearActivation"/>). The JIT compiles each struct instantiation on its own and inlines
    /// <c>Apply</c>, so the code is what writing the two bodies out would give, at half the source.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IVectorActivation
    {
        /// <summary>The activation of 16 lanes.</summary>
        static abstract Vector512<float> Apply(Vector512<float> x);

        /// <summary>The activation of 8 lanes.</summary>
        static abstract Vector256<float> Apply(Vector256<float> x);

        /// <summary>The activation of 4 lanes.</summary>
        static abstract Vector128<float> Apply(Vector128<float> x);
    }

    /// <summary>The identity, for the training forms of generated layers (values before the activation).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct LinearActivation : IVectorActivation
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Apply(Vector512<float> x) => x;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> x) => x;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Apply(Vector128<float> x) => x;
    }
}
