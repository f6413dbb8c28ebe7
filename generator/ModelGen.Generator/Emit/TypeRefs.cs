namespace ModelGen.Generator.Emit
{
    /// <summary>Every type the generated code names, fully qualified, in one list.</summary>
    internal static class TypeRefs
    {
        public const string Span = "global::System.Span<float>";
        public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
        public const string MathF = "global::System.MathF";
        public const string Math = "global::System.Math";
        public const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
        public const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
        public const string Fma = "global::System.Runtime.Intrinsics.X86.Fma";
        public const string ArgumentNullException = "global::System.ArgumentNullException";
        public const string AggressiveInlining = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";
        public const string ThreadStatic = "global::System.ThreadStaticAttribute";
        public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCodeAttribute";
        public const string EditorBrowsable = "global::System.ComponentModel.EditorBrowsable";
        public const string EditorBrowsableNever = "global::System.ComponentModel.EditorBrowsableState.Never";
        public const string IModel = "global::ModelGen.IModel";
        public const string Loss = "global::ModelGen.Loss";
        public const string Activation = "global::ModelGen.Activation";
        public const string Initializer = "global::ModelGen.Initializer";
        public const string Initializers = "global::ModelGen.Initializers";
        public const string SeededRandom = "global::ModelGen.SeededRandom";
        public const string DropoutMath = "global::ModelGen.DropoutMath";
        public const string IVectorActivation = "global::ModelGen.IVectorActivation";
        public const string LinearActivation = "global::ModelGen.LinearActivation";
        public const string Shapes = "global::ModelGen.Shapes";

        /// <summary>The runtime's register-tiled batch kernels of a dense layer (training).</summary>
        public const string DenseKernels = "global::ModelGen.Kernels.DenseKernels";

        /// <summary>The runtime's 64-byte alignment helpers.</summary>
        public const string Aligned = "global::ModelGen.Aligned";
        public const string ActivationMath = "global::ModelGen.ActivationMath";
        public const string VectorMath = "global::ModelGen.VectorMath";

        /// <summary><c>global::System.Runtime.Intrinsics.Vector{bits}</c>.</summary>
        public static string Vector(int bits) => "global::System.Runtime.Intrinsics.Vector" + bits;
    }
}
