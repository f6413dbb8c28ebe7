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
    }
}
