using System;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// The names the generated code declares in a model class, in one list: the emitters write them from here, and
    /// <c>AttributeReader</c> asks <see cref="IsReserved"/> before a user member may take one (MGEN019). A test compiles
    /// models and checks this list against the members actually generated.
    /// </summary>
    internal static class GeneratedNames
    {
        // The public surface (API.md section 2) and the IModel members.

        /// <summary><c>public const int InputSize</c>.</summary>
        public const string InputSize = nameof(InputSize);

        /// <summary><c>public const int OutputSize</c>.</summary>
        public const string OutputSize = nameof(OutputSize);

        /// <summary><c>public const int ParameterCount</c>.</summary>
        public const string ParameterCount = nameof(ParameterCount);

        /// <summary><c>public Span&lt;float&gt; Parameters</c>.</summary>
        public const string Parameters = nameof(Parameters);

        /// <summary><c>public ReadOnlySpan&lt;int&gt; TensorSizes</c>.</summary>
        public const string TensorSizes = nameof(TensorSizes);

        /// <summary><c>public void Forward(input, output)</c>.</summary>
        public const string Forward = nameof(Forward);

        /// <summary><c>public static void Predict(input, output)</c>, with embedded weights.</summary>
        public const string Predict = nameof(Predict);

        /// <summary><c>public void ForwardTrace(input, output, logits)</c>.</summary>
        public const string ForwardTrace = nameof(ForwardTrace);

        /// <summary><c>public void Backward(...)</c>.</summary>
        public const string Backward = nameof(Backward);

        /// <summary><c>public float ComputeGradients(...)</c>.</summary>
        public const string ComputeGradients = nameof(ComputeGradients);

        /// <summary><c>public static string Summary()</c>: Keras's <c>model.summary()</c> table.</summary>
        public const string Summary = nameof(Summary);

        /// <summary><c>public void SeedDropout(int seed)</c>, with dropout.</summary>
        public const string SeedDropout = nameof(SeedDropout);

        /// <summary>Length of the non-trainable state (models with affine layers).</summary>
        public const string NonTrainableParameterCount = nameof(NonTrainableParameterCount);

        /// <summary>The non-trainable state (models with affine layers).</summary>
        public const string NonTrainableParameters = nameof(NonTrainableParameters);

        /// <summary>The lengths of the vectors of the non-trainable state.</summary>
        public const string NonTrainableTensorSizes = nameof(NonTrainableTensorSizes);

        /// <summary>Replaces the non-trainable state.</summary>
        public const string SetNonTrainableParameters = nameof(SetNonTrainableParameters);

        // Plumbing: private, prefixed so that user code is unlikely to meet it.

        /// <summary>The embedded weights as a span over constant data.</summary>
        public const string Weights = "ModelGenWeights";

        /// <summary>The embedded weights of a larger model as base64 text (a UTF-8 literal).</summary>
        public const string WeightsBase64 = "ModelGenWeightsBase64";

        /// <summary>The nested class holding the aligned copy of the embedded weights.</summary>
        public const string WeightsCopy = "ModelGenWeightsCopy";

        /// <summary>The folded affine maps (scale, offset per affine layer) of the embedded or initial state: constant data.</summary>
        public const string AffineConstants = "ModelGenAffine";

        /// <summary>The embedded or initial non-trainable state: constant data.</summary>
        public const string StateConstants = "ModelGenState";

        /// <summary>The instance's folded affine maps.</summary>
        public const string AffineField = "_modelGenAffine";

        /// <summary>The instance's non-trainable state.</summary>
        public const string StateField = "_modelGenState";

        /// <summary>The trace workspace for n samples.</summary>
        public const string Trace = "ModelGenTrace";

        /// <summary>The forward pass that keeps every layer's values in the trace.</summary>
        public const string RunTrace = "ModelGenRunTrace";

        /// <summary>The backward pass over the trace.</summary>
        public const string RunBackward = "ModelGenRunBackward";

        /// <summary>The array behind <see cref="Parameters"/>.</summary>
        public const string ParametersField = "_modelGenParameters";

        /// <summary>Where the 64-byte aligned run of <see cref="ParametersField"/> starts.</summary>
        public const string StartField = "_modelGenStart";

        /// <summary>The trace array.</summary>
        public const string TraceField = "_modelGenTrace";

        /// <summary>Samples of the last trace.</summary>
        public const string TraceSamplesField = "_modelGenTraceSamples";

        /// <summary>The dropout random stream.</summary>
        public const string DropoutRandomField = "_modelGenDropoutRandom";

        /// <summary>The per-thread forward scratch of large models.</summary>
        public const string ScratchField = "t_modelGenScratch";

        /// <summary>Start of the input after dropout in the trace (per sample; per-layer starts are <c>Layer0ZAt</c>, <c>Layer0YAt</c>, ...).</summary>
        public const string TraceInputDropped = "InputDroppedAt";

        /// <summary>Start of the input's dropout mask in the trace.</summary>
        public const string TraceInputMask = "InputMaskAt";

        /// <summary>Start of the loss gradient in the trace.</summary>
        public const string TraceLossGradient = "LossGradientAt";

        /// <summary>Start of the first backward scratch buffer in the trace.</summary>
        public const string TraceBackwardA = "BackwardAAt";

        /// <summary>Start of the second backward scratch buffer in the trace.</summary>
        public const string TraceBackwardB = "BackwardBAt";

        /// <summary>Floats per sample of the whole trace.</summary>
        public const string TraceWidth = "TraceWidth";

        /// <summary>The stem of every per-layer member: <c>Layer0</c>, <c>Layer3x4</c>, <c>Layer1Linear</c>, <c>Layer2Activate</c>, ...</summary>
        public const string LayerPrefix = "Layer";

        /// <summary>Every fixed member name above (per-layer names follow <see cref="LayerPrefix"/>).</summary>
        public static readonly string[] Members =
        {
            ParametersField, DropoutRandomField, StartField, TraceField, TraceSamplesField,
            Backward, TraceBackwardA, TraceBackwardB, ComputeGradients, Forward, ForwardTrace, TraceInputDropped, TraceInputMask, InputSize,
            TraceLossGradient, RunBackward, RunTrace, Trace, Weights, WeightsBase64, WeightsCopy,
            OutputSize, ParameterCount, Parameters, Predict, SeedDropout, Summary, TensorSizes, TraceWidth,
            ScratchField, AffineConstants, StateConstants, AffineField, StateField,
            NonTrainableParameterCount, NonTrainableParameters, NonTrainableTensorSizes, SetNonTrainableParameters,
        };

        /// <summary>The method name stem of layer <paramref name="index"/>: <c>Layer0</c>.</summary>
        public static string Layer(int index) => LayerPrefix + Literals.Int(index);

        /// <summary>True for names the generated code declares in the model class (members and per-layer members).</summary>
        public static bool IsReserved(string name)
        {
            if (Array.IndexOf(Members, name) >= 0) return true;
            // The file-local type aliases of the generated code: a member of the model class must not hide them.
            foreach ((string alias, _) in TypeRefs.Aliases) if (alias == name) return true;
            int prefix = LayerPrefix.Length;
            return name.StartsWith(LayerPrefix, StringComparison.Ordinal) && name.Length > prefix && char.IsDigit(name[prefix]);
        }
    }
}
