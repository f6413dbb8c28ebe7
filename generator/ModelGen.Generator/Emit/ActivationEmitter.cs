using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.Literals;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Activation functions as C# expressions. Simple ones are written inline; those that need care (expm1, erf,
    /// stable softplus) call the small <c>ModelGen.ActivationMath</c> methods, which the JIT inlines. Nothing is
    /// dispatched at run time: the choice is made here, at generation time.
    /// </summary>
    internal static class ActivationEmitter
    {
        private const string M = TypeRefs.ActivationMath;
        private const string MathF = TypeRefs.MathF;
        private const string Math = TypeRefs.Math;

        /// <summary>The activation of <paramref name="z"/> (a plain identifier) as an expression.</summary>
        public static string Forward(ActivationSpec a, string z) => a.Kind switch
        {
            Activation.Linear => z,
            Activation.Relu => $"{MathF}.Max({z}, 0f)",
            Activation.Relu6 => $"{Math}.Clamp({z}, 0f, 6f)",
            Activation.LeakyRelu => $"({z} > 0f ? {z} : {Float(a.NegativeSlope)} * {z})",
            Activation.Elu => $"{M}.Elu({z}, {Float(a.Alpha)})",
            Activation.Selu => $"{M}.Selu({z})",
            Activation.Celu => $"{M}.Celu({z}, {Float(a.Alpha)})",
            Activation.Gelu => $"{M}.Gelu({z})",
            Activation.GeluTanh => $"{M}.GeluTanh({z})",
            Activation.Sigmoid => $"1f / (1f + {MathF}.Exp(-{z}))",
            Activation.HardSigmoid => $"{Math}.Clamp({z} + 3f, 0f, 6f) / 6f",
            Activation.HardSigmoidKeras2 => $"{Math}.Clamp(0.2f * {z} + 0.5f, 0f, 1f)",
            Activation.LogSigmoid => $"{M}.LogSigmoid({z})",
            Activation.Silu => $"{z} / (1f + {MathF}.Exp(-{z}))",
            Activation.HardSilu => $"{z} * {Math}.Clamp({z} + 3f, 0f, 6f) / 6f",
            Activation.Tanh => $"{MathF}.Tanh({z})",
            Activation.HardTanh => $"{Math}.Clamp({z}, -1f, 1f)",
            Activation.TanhShrink => $"{z} - {MathF}.Tanh({z})",
            Activation.SoftShrink => $"({z} > {Float(a.Threshold)} ? {z} - {Float(a.Threshold)} : {z} < {Float(-a.Threshold)} ? {z} + {Float(a.Threshold)} : 0f)",
            Activation.HardShrink => $"({z} > {Float(a.Threshold)} || {z} < {Float(-a.Threshold)} ? {z} : 0f)",
            Activation.Softplus => $"{M}.Softplus({z})",
            Activation.Softsign => $"{z} / (1f + {MathF}.Abs({z}))",
            Activation.SparsePlus => $"({z} <= -1f ? 0f : {z} >= 1f ? {z} : 0.25f * ({z} + 1f) * ({z} + 1f))",
            Activation.SparseSigmoid => $"{Math}.Clamp(0.5f * ({z} + 1f), 0f, 1f)",
            Activation.Squareplus => $"{M}.Squareplus({z}, {Float(a.B)})",
            Activation.Exponential => $"{MathF}.Exp({z})",
            Activation.Mish => $"{M}.Mish({z})",
            Activation.Threshold => $"({z} > {Float(a.Threshold)} ? {z} : {Float(a.DefaultValue)})",
            _ => throw new System.ArgumentOutOfRangeException(nameof(a), a.Kind, "vector-wise activations have no scalar form"),
        };

        /// <summary>
        /// The derivative of the activation at <paramref name="z"/> with output <paramref name="y"/> (both plain identifiers),
        /// from whichever saved value is stable. Values at kinks follow Keras's torch backend.
        /// </summary>
        public static string Derivative(ActivationSpec a, string z, string y) => a.Kind switch
        {
            Activation.Linear => "1f",
            Activation.Relu => $"({z} > 0f ? 1f : 0f)",
            Activation.Relu6 => $"({z} > 0f && {z} < 6f ? 1f : 0f)",
            Activation.LeakyRelu => $"({z} > 0f ? 1f : {Float(a.NegativeSlope)})",
            Activation.Elu => $"{M}.EluDerivative({z}, {Float(a.Alpha)})",
            Activation.Selu => $"{M}.SeluDerivative({z})",
            Activation.Celu => $"{M}.CeluDerivative({z}, {Float(a.Alpha)})",
            Activation.Gelu => $"{M}.GeluDerivative({z})",
            Activation.GeluTanh => $"{M}.GeluTanhDerivative({z})",
            Activation.Sigmoid => $"{y} * (1f - {y})",
            Activation.HardSigmoid => $"({z} > -3f && {z} < 3f ? 1f / 6f : 0f)",
            Activation.HardSigmoidKeras2 => $"({z} > -2.5f && {z} < 2.5f ? 0.2f : 0f)",
            Activation.LogSigmoid => $"{M}.LogSigmoidDerivative({z})",
            Activation.Silu => $"{M}.SiluDerivative({z})",
            Activation.HardSilu => $"({z} < -3f ? 0f : {z} > 3f ? 1f : (2f * {z} + 3f) / 6f)",
            Activation.Tanh => $"1f - {y} * {y}",
            Activation.HardTanh => $"({z} > -1f && {z} < 1f ? 1f : 0f)",
            Activation.TanhShrink => $"{M}.TanhShrinkDerivative({z})",
            Activation.SoftShrink or Activation.HardShrink => $"({z} > {Float(a.Threshold)} || {z} < {Float(-a.Threshold)} ? 1f : 0f)",
            Activation.Softplus => $"{M}.Sigmoid({z})",
            Activation.Softsign => $"{M}.SoftsignDerivative({z})",
            Activation.SparsePlus => $"({z} <= -1f ? 0f : {z} >= 1f ? 1f : 0.5f * ({z} + 1f))",
            Activation.SparseSigmoid => $"({z} > -1f && {z} < 1f ? 0.5f : 0f)",
            Activation.Squareplus => $"{M}.SquareplusDerivative({z}, {Float(a.B)})",
            Activation.Exponential => y,
            Activation.Mish => $"{M}.MishDerivative({z})",
            Activation.Threshold => $"({z} > {Float(a.Threshold)} ? 1f : 0f)",
            _ => throw new System.ArgumentOutOfRangeException(nameof(a), a.Kind, "vector-wise activations have no scalar derivative"),
        };

        /// <summary>True when <see cref="VectorForward"/> has a form for this activation.</summary>
        public static bool HasVectorForm(ActivationSpec a) => a.Kind is Activation.Linear or Activation.Relu or Activation.Relu6
            or Activation.LeakyRelu or Activation.HardTanh or Activation.HardSigmoid or Activation.HardSigmoidKeras2
            or Activation.Sigmoid or Activation.Silu or Activation.Tanh or Activation.Exponential or Activation.HardSilu or Activation.Softsign;

        /// <summary>True when <see cref="VectorDerivative"/> has a form for this activation.</summary>
        public static bool HasVectorDerivative(ActivationSpec a) => a.Kind is Activation.Relu or Activation.LeakyRelu or Activation.Sigmoid
            or Activation.Tanh or Activation.Exponential or Activation.Relu6 or Activation.HardTanh or Activation.Silu or Activation.Softplus;

        /// <summary>The derivative at vectors <paramref name="z"/> (before) and <paramref name="y"/> (after), as <see cref="Derivative"/>.</summary>
        public static string VectorDerivative(ActivationSpec a, string z, string y, int bits)
        {
            string V = TypeRefs.Vector(bits);
            string F = TypeRefs.FloatVector(bits);
            string zero = $"{F}.Zero", one = $"{F}.One";
            return a.Kind switch
            {
                Activation.Relu => $"{V}.ConditionalSelect({V}.GreaterThan({z}, {zero}), {one}, {zero})",
                Activation.LeakyRelu => $"{V}.ConditionalSelect({V}.GreaterThan({z}, {zero}), {one}, {V}.Create({Float(a.NegativeSlope)}))",
                Activation.Relu6 => $"{V}.ConditionalSelect({V}.GreaterThan({z}, {zero}) & {V}.LessThan({z}, {V}.Create(6f)), {one}, {zero})",
                Activation.HardTanh => $"{V}.ConditionalSelect({V}.GreaterThan({z}, {V}.Create(-1f)) & {V}.LessThan({z}, {one}), {one}, {zero})",
                Activation.Sigmoid => $"({y} * ({one} - {y}))",
                Activation.Tanh => $"({one} - {y} * {y})",
                Activation.Exponential => y,
                Activation.Silu => $"{TypeRefs.VectorMath}.SiluDerivative({z})",
                Activation.Softplus => $"{TypeRefs.VectorMath}.Sigmoid({z})",
                _ => throw new System.ArgumentOutOfRangeException(nameof(a), a.Kind, "no vector derivative"),
            };
        }

        /// <summary>The activation applied to vector <paramref name="v"/> of type <c>Vector{bits}&lt;float&gt;</c>.</summary>
        public static string VectorForward(ActivationSpec a, string v, int bits)
        {
            string V = TypeRefs.Vector(bits);
            string F = TypeRefs.FloatVector(bits);
            string zero = $"{F}.Zero";
            return a.Kind switch
            {
                Activation.Linear => v,
                Activation.Relu => $"{V}.Max({v}, {zero})",
                Activation.Relu6 => $"{V}.Min({V}.Max({v}, {zero}), {V}.Create(6f))",
                Activation.LeakyRelu => $"{V}.ConditionalSelect({V}.GreaterThan({v}, {zero}), {v}, {v} * {V}.Create({Float(a.NegativeSlope)}))",
                Activation.HardTanh => $"{V}.Min({V}.Max({v}, {V}.Create(-1f)), {V}.Create(1f))",
                Activation.HardSigmoid => $"{V}.Min({V}.Max({v} + {V}.Create(3f), {zero}), {V}.Create(6f)) / {V}.Create(6f)",
                Activation.HardSigmoidKeras2 => $"{V}.Min({V}.Max({v} * {V}.Create(0.2f) + {V}.Create(0.5f), {zero}), {V}.Create(1f))",
                Activation.Sigmoid => $"{TypeRefs.VectorMath}.Sigmoid({v})",
                Activation.Silu => $"{TypeRefs.VectorMath}.Silu({v})",
                Activation.Tanh => $"{TypeRefs.VectorMath}.Tanh({v})",
                Activation.Exponential => $"{TypeRefs.VectorMath}.Exp({v})",
                Activation.HardSilu => $"{v} * {V}.Min({V}.Max({v} + {V}.Create(3f), {zero}), {V}.Create(6f)) / {V}.Create(6f)",
                Activation.Softsign => $"{v} / ({F}.One + {V}.Abs({v}))",
                _ => throw new System.ArgumentOutOfRangeException(nameof(a), a.Kind, "no vector form"),
            };
        }

        /// <summary>True for vector forms built on an exponential (<c>VectorMath</c>): about 25 instructions and 15 constants each.</summary>
        public static bool IsCostlyVectorForm(ActivationSpec a) =>
            a.Kind is Activation.Sigmoid or Activation.Silu or Activation.Tanh or Activation.Exponential;

        /// <summary>The <c>ActivationMath</c> method pair of a vector-wise activation: forward, backward.</summary>
        public static (string Forward, string Backward) VectorWise(Activation kind) => kind switch
        {
            Activation.Softmax => ($"{M}.Softmax", $"{M}.SoftmaxBackward"),
            Activation.LogSoftmax => ($"{M}.LogSoftmax", $"{M}.LogSoftmaxBackward"),
            Activation.Sparsemax => ($"{M}.Sparsemax", $"{M}.SparsemaxBackward"),
            _ => ($"{M}.Glu", $"{M}.GluBackward"),
        };

        /// <summary>A short description for comments: <c>relu</c>, <c>leaky_relu(0.1)</c>.</summary>
        public static string Describe(ActivationSpec a)
        {
            string name = ActivationCatalog.KerasName(a.Kind);
            return ActivationCatalog.Parameters(a.Kind) switch
            {
                ActivationParameterKinds.Alpha => $"{name}(alpha {Float(a.Alpha)})",
                ActivationParameterKinds.NegativeSlope => $"{name}(slope {Float(a.NegativeSlope)})",
                ActivationParameterKinds.Threshold => $"{name}(threshold {Float(a.Threshold)})",
                ActivationParameterKinds.B => $"{name}(b {Float(a.B)})",
                ActivationParameterKinds.None => name,
                _ => $"{name}(threshold {Float(a.Threshold)}, value {Float(a.DefaultValue)})",
            };
        }
    }
}
