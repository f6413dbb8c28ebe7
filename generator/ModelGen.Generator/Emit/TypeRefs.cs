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
        public const string AffineMath = "global::ModelGen.AffineMath";
        public const string IVectorActivation = "global::ModelGen.IVectorActivation";
        public const string LinearActivation = "global::ModelGen.LinearActivation";
        public const string Shapes = "global::ModelGen.Shapes";

        /// <summary>The runtime's register-tiled batch kernels of a dense layer (training).</summary>
        public const string DenseKernels = "global::ModelGen.Kernels.DenseKernels";

        /// <summary>The runtime's 64-byte alignment helpers.</summary>
        public const string Aligned = "global::ModelGen.Aligned";
        public const string ActivationMath = "global::ModelGen.ActivationMath";
        public const string VectorMath = "global::ModelGen.VectorMath";

        /// <summary><c>System.Runtime.Intrinsics.Vector{bits}</c> (the static class), through the file-local alias <c>V{bits}</c>.</summary>
        public static string Vector(int bits) => "V" + bits;

        /// <summary><c>System.Runtime.Intrinsics.Vector{bits}&lt;float&gt;</c>, through the file-local alias <c>F{bits}</c>.</summary>
        public static string FloatVector(int bits) => "F" + bits;

        /// <summary>
        /// The file-local <c>using</c> aliases the generated code may use, each written into a file only when the file uses it.
        /// They go inside the model's namespace declaration, so a type of the same name in an enclosing namespace (or a
        /// <c>Vector512</c> anywhere) cannot capture them; the names are reserved for members of the model class (MGEN019).
        /// Only the vector types are aliased: their names are the bulk of the text, and <c>V512</c>/<c>F512</c> are names user
        /// code hardly declares. Every other type stays <c>global::</c>-qualified, so a user type named <c>Unsafe</c> or
        /// <c>MathF</c> next to the model changes nothing.
        /// </summary>
        public static readonly (string Alias, string Target)[] Aliases =
        {
            ("V512", "global::System.Runtime.Intrinsics.Vector512"),
            ("V256", "global::System.Runtime.Intrinsics.Vector256"),
            ("V128", "global::System.Runtime.Intrinsics.Vector128"),
            ("F512", "global::System.Runtime.Intrinsics.Vector512<float>"),
            ("F256", "global::System.Runtime.Intrinsics.Vector256<float>"),
            ("F128", "global::System.Runtime.Intrinsics.Vector128<float>"),
        };
    }
}
