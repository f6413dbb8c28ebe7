namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Every tuning constant of the generated code, in one place. <see cref="NetworkPlan"/> turns them into per-model and
    /// per-layer decisions; the emitters read the decisions and write text. Changing a value here changes generated code:
    /// refresh the baselines and measure with the benchmark project.
    /// </summary>
    internal static class CodeShape
    {
        /// <summary>Samples per call of the batch forms (<c>x4</c>): each loaded weight vector serves all of them.</summary>
        public const int BatchSamples = 4;

        /// <summary>
        /// Samples per call of the wide batch form (<c>x8</c>), written for models that run batches layer-major: 8 samples
        /// times <see cref="TileVectorsWideBatch"/> vectors per tile load each weight vector once for 8 samples, halving the
        /// cache traffic of the <c>x4</c> form on layers whose weights come from L2.
        /// </summary>
        public const int WideBatchSamples = 8;

        /// <summary>Accumulator vectors per tile for one sample.</summary>
        public const int TileVectors = 8;

        /// <summary>Accumulator vectors per tile for the <c>x4</c> form.</summary>
        public const int TileVectorsBatch = 4;

        /// <summary>Accumulator vectors per tile for the <c>x8</c> form.</summary>
        public const int TileVectorsWideBatch = 2;

        /// <summary>
        /// Accumulator vectors per tile of the <c>x4</c> form on the Vector256 and Vector128 paths: x64 has 16 such registers,
        /// and 4 samples x 4 vectors (16 accumulators, 4 broadcasts and a weight vector) spilled 5 accumulators to the stack
        /// in every step of the input loop (regress's 64 -> 64 layer on AVX2). 4 x 2 keeps 13 registers live.
        /// </summary>
        public const int TileVectorsBatchNarrow = 2;

        /// <summary>Accumulator vectors per tile of the <c>x8</c> form on the Vector256 and Vector128 paths (8 accumulators).</summary>
        public const int TileVectorsWideBatchNarrow = 1;

        /// <summary>
        /// Accumulator vectors per tile for one sample on Vector512 layers of at least this many vectors (256 units):
        /// AVX-512 has 32 registers, and a tile twice as wide streams each kernel row in 1 KB runs instead of 512 bytes.
        /// </summary>
        public const int TileVectorsWide = 16;

        /// <summary>Most accumulators one tile vector's inputs are split over (one-sample tiles with few vectors hide the FMA latency).</summary>
        public const int MaxInputSplits = 4;

        /// <summary>Largest number of multiply-add statements a tile writes out without a loop.</summary>
        public const int UnrollFmas = 192;

        /// <summary>Largest number of multiply-adds of an unrolled scalar layer (1 to 3 units).</summary>
        public const int UnrollScalarTerms = 512;

        /// <summary>Dense layers with fewer units than this (the lanes of the narrowest vector) are written as scalar code.</summary>
        public const int MinVectorUnits = 4;

        /// <summary>Scalar layers with at least this many inputs sum over <see cref="ScalarChains"/> partial sums.</summary>
        public const int ScalarChainInputs = 8;

        /// <summary>Partial sums of a scalar unit: they hide the add latency.</summary>
        public const int ScalarChains = 4;

        /// <summary>
        /// When the largest of an inline softmax's inputs lies in [-this, this], the exponentials of the raw values can neither
        /// overflow nor all vanish, so the max is not subtracted (the same result to rounding).
        /// </summary>
        public const float SoftmaxShiftFreeRange = 80f;

        /// <summary>Layers with at most this many kernel entries are inlined into their caller, so small models run as one method.</summary>
        public const int InlineLimit = 2048;

        /// <summary>
        /// Vector dense layers with at least this many kernel entries train through the runtime's register-tiled kernels
        /// (<c>ModelGen.Kernels.DenseKernels</c>: the trace's forward, the kernel, bias and input gradients) instead of
        /// generated tiles. The kernels block for the cache over the whole batch (column strips, packed strips for large
        /// kernels, 4 x 2 register tiles, masked overlapping last vectors instead of scalar tails); their call costs a few
        /// checks. Below this size (xor, iris) the unrolled generated code stays.
        /// </summary>
        public const int DenseKernelMinEntries = 256;

        /// <summary>
        /// Vector dense layers with at least this many kernel entries (256 KB, the runtime's
        /// <c>DenseKernels.PackKernelFloats</c>) run a single sample through <c>DenseKernels.Forward</c>, which reads such a
        /// kernel row by row, front to back, instead of the generated one-sample tiles, whose column strips read a few cache
        /// lines of every row. Measured on Zen 1, one sample: wide's 512 -> 512 layer 42 to 28 us, 256 -> 512 17.5 to 13.2,
        /// mnist's 784 -> 128 11.7 to 11.0.
        /// </summary>
        public const int RowStreamEntries = 64 * 1024;

        /// <summary>Samples per block of the input-gradient loop (dx = dz W^T): each weight row is streamed once per block.</summary>
        public const int InputGradientSamples = 4;

        /// <summary>An input-gradient block over more vectors than this loops over them instead of unrolling.</summary>
        public const int InputGradientUnrollVectors = 4;

        /// <summary>
        /// Forward scratch of at most this many floats lives on the stack (zeroed on every call, so it stays small); larger
        /// models use a per-thread array, allocated on a thread's first call.
        /// </summary>
        public const int StackScratchLimit = 1024;

        /// <summary>
        /// Models with more parameters than this (64 KB of weights) run batches layer by layer over chunks of
        /// <see cref="LayerMajorChunk"/> samples, <see cref="WideBatchSamples"/> at a time, instead of
        /// <see cref="BatchSamples"/> samples at a time through the whole network: each layer's weights stay in the cache
        /// while they serve a whole chunk, and each loaded weight vector serves 8 samples. Measured (BenchmarkDotNet, batch
        /// 256): wide 256-512-512-10 from 7.6 to 5.6 us per sample, mnist 1.39 to 1.37 us. Smaller models keep the
        /// sample-major order, whose scratch fits on the stack.
        /// </summary>
        public const int LayerMajorParameters = 16 * 1024;

        /// <summary>Samples per chunk of the layer-major batch path.</summary>
        public const int LayerMajorChunk = 64;

        /// <summary>Parameters above which <c>Predict</c> reads an aligned copy of the embedded weights instead of the constant data.</summary>
        public const int AlignedCopyThreshold = 1024;

        /// <summary>Base64 characters per line of the embedded weights of a larger model (84 bytes, 21 floats).</summary>
        public const int Base64PerLine = 112;

        /// <summary>Embedded weights written per line of the generated array.</summary>
        public const int WeightsPerLine = 8;

        /// <summary>XORed into the dropout seed, so that the dropout stream is apart from the initializers' (which start from the seed itself).</summary>
        public const string DropoutSeedSalt = "0x0D50_0000_0000_0000L";
    }
}
