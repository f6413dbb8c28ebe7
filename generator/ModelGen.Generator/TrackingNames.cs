namespace ModelGen.Generator
{
    /// <summary>Names of the tracked pipeline steps, one constant per step, for the incrementality tests.</summary>
    internal static class TrackingNames
    {
        /// <summary>Attribute-declared models read into a spec and diagnostics.</summary>
        public const string AttributeModels = nameof(AttributeModels);

        /// <summary>The cached projection: specs only.</summary>
        public const string ModelSpecs = nameof(ModelSpecs);

        /// <summary>The uncached projection: diagnostics only.</summary>
        public const string ModelDiagnostics = nameof(ModelDiagnostics);

        /// <summary>[Dense] found on any class: reports the ones without [Model] (diagnostics only, so not cached).</summary>
        public const string OrphanDense = nameof(OrphanDense);

        /// <summary>[Activation] found on any class: reports the ones without [Model] (diagnostics only, so not cached).</summary>
        public const string OrphanActivation = nameof(OrphanActivation);

        /// <summary>[Dropout] found on any class: reports the ones without [Model] (diagnostics only, so not cached).</summary>
        public const string OrphanDropout = nameof(OrphanDropout);

        /// <summary>Models that name a JSON or weights file, waiting for the join.</summary>
        public const string ModelRequests = nameof(ModelRequests);

        /// <summary>Each <c>.json</c> AdditionalFile parsed on its own.</summary>
        public const string JsonFiles = nameof(JsonFiles);

        /// <summary>Each encoded weights AdditionalFile decoded on its own.</summary>
        public const string WeightsFiles = nameof(WeightsFiles);

        /// <summary>The project directory, from the analyzer config.</summary>
        public const string ProjectDirectory = nameof(ProjectDirectory);

        /// <summary>Requests joined with the files they name.</summary>
        public const string ResolvedModels = nameof(ResolvedModels);

        /// <summary>The specs of resolved models (cached projection).</summary>
        public const string ResolvedSpecs = nameof(ResolvedSpecs);
    }
}
