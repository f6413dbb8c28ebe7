// This file is compiled into both the runtime (public) and the generator (internal, linked).
namespace ModelGen
{
    /// <summary>
    /// The activation functions of Keras 3 <c>keras.activations</c>, with Keras 3 formulas and defaults.
    /// Functions with parameters take them from the <c>Alpha</c>, <c>NegativeSlope</c>, <c>Threshold</c>,
    /// <c>DefaultValue</c> and <c>B</c> properties of <c>DenseAttribute</c> and <c>ActivationAttribute</c>.
    /// </summary>
    /// <remarks>Values are stable: members are never renumbered, new members get new numbers.</remarks>
#if MODELGEN_GENERATOR
    internal
#else
    public
#endif
    enum Activation
    {
        /// <summary><c>linear</c>: x.</summary>
        Linear = 0,
        /// <summary><c>relu</c>: max(x, 0).</summary>
        Relu = 1,
        /// <summary><c>relu6</c>: min(max(x, 0), 6).</summary>
        Relu6 = 2,
        /// <summary><c>leaky_relu</c>: x &gt; 0 ? x : NegativeSlope x (default 0.2, the function's default).</summary>
        LeakyRelu = 3,
        /// <summary><c>elu</c>: x &gt; 0 ? x : Alpha (e^x - 1), Alpha = 1.</summary>
        Elu = 4,
        /// <summary><c>selu</c>: scale elu(x, alpha) with Keras's constants.</summary>
        Selu = 5,
        /// <summary><c>celu</c>: max(x, 0) + Alpha expm1(min(x, 0) / Alpha), Alpha = 1.</summary>
        Celu = 6,
        /// <summary><c>gelu</c>, exact form: 0.5 x (1 + erf(x / sqrt 2)). Keras 3's default.</summary>
        Gelu = 7,
        /// <summary><c>gelu</c> with <c>approximate=True</c>: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).</summary>
        GeluTanh = 8,
        /// <summary><c>sigmoid</c>: 1 / (1 + e^-x).</summary>
        Sigmoid = 9,
        /// <summary><c>hard_sigmoid</c>, Keras 3: relu6(x + 3) / 6.</summary>
        HardSigmoid = 10,
        /// <summary><c>hard_sigmoid</c> of Keras 2 (tf.keras, TensorFlow.js): clip(0.2 x + 0.5, 0, 1).</summary>
        HardSigmoidKeras2 = 11,
        /// <summary><c>log_sigmoid</c>: -softplus(-x).</summary>
        LogSigmoid = 12,
        /// <summary><c>silu</c>: x sigmoid(x).</summary>
        Silu = 13,
        /// <summary><c>swish</c>: alias of <see cref="Silu"/>.</summary>
        Swish = Silu,
        /// <summary><c>hard_silu</c>: x hard_sigmoid(x).</summary>
        HardSilu = 14,
        /// <summary><c>hard_swish</c>: alias of <see cref="HardSilu"/>.</summary>
        HardSwish = HardSilu,
        /// <summary><c>tanh</c>.</summary>
        Tanh = 15,
        /// <summary><c>hard_tanh</c>: clip(x, -1, 1).</summary>
        HardTanh = 16,
        /// <summary><c>tanh_shrink</c>: x - tanh(x).</summary>
        TanhShrink = 17,
        /// <summary><c>soft_shrink</c>: x - t if x &gt; t, x + t if x &lt; -t, else 0; Threshold t = 0.5.</summary>
        SoftShrink = 18,
        /// <summary><c>hard_shrink</c>: abs(x) &gt; t ? x : 0; Threshold t = 0.5.</summary>
        HardShrink = 19,
        /// <summary><c>softmax</c> over the units of the layer, computed stably.</summary>
        Softmax = 20,
        /// <summary><c>log_softmax</c> over the units of the layer, computed stably.</summary>
        LogSoftmax = 21,
        /// <summary><c>softplus</c>: log(1 + e^x), computed stably.</summary>
        Softplus = 22,
        /// <summary><c>softsign</c>: x / (1 + abs(x)).</summary>
        Softsign = 23,
        /// <summary><c>sparse_plus</c>: 0 for x &lt;= -1, (x + 1)^2 / 4 for -1 &lt; x &lt; 1, x for x &gt;= 1.</summary>
        SparsePlus = 24,
        /// <summary><c>sparse_sigmoid</c>: clip((x + 1) / 2, 0, 1).</summary>
        SparseSigmoid = 25,
        /// <summary><c>squareplus</c>: (x + sqrt(x^2 + B)) / 2, B = 4.</summary>
        Squareplus = 26,
        /// <summary><c>exponential</c>: e^x.</summary>
        Exponential = 27,
        /// <summary><c>mish</c>: x tanh(softplus(x)).</summary>
        Mish = 28,
        /// <summary><c>sparsemax</c>: Euclidean projection onto the simplex, over the units of the layer.</summary>
        Sparsemax = 29,
        /// <summary><c>glu</c>: a sigmoid(b) for the halves a, b of the units; halves the width.</summary>
        Glu = 30,
        /// <summary><c>threshold</c>: x &gt; Threshold ? x : DefaultValue. Both parameters are required.</summary>
        Threshold = 31,
    }
}
