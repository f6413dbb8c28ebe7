namespace ModelGen.Generator.Model
{
    /// <summary>
    /// A <c>[Model]</c> class that names a JSON declaration or a weights file: everything the attribute reader knows, waiting
    /// for the AdditionalFiles it names.
    /// </summary>
    /// <remarks>
    /// Joined with every JSON and weights file, so it crosses a caching boundary: it holds only strings, numbers, specs,
    /// <see cref="EquatableArray{T}"/> and a <see cref="LocationInfo"/> (the attribute's place, for diagnostics about the
    /// files); never a symbol, syntax node or <c>Location</c>.
    /// </remarks>
    /// <param name="Namespace">The containing namespace ("" for the global one).</param>
    /// <param name="ClassName">The class name as written in C# (keywords escaped with <c>@</c>).</param>
    /// <param name="Name">The class name for messages.</param>
    /// <param name="InputSize">The input size from <c>[Model(inputs)]</c>, or 0 when the JSON file gives it.</param>
    /// <param name="Layers">The attribute-declared layers (empty for a JSON model).</param>
    /// <param name="Json">The <c>Json</c> path as written, or null.</param>
    /// <param name="Weights">The <c>Weights</c> path as written, or null.</param>
    /// <param name="Attribute">Where the <c>[Model]</c> attribute is.</param>
    internal sealed record ModelRequest(
        string Namespace,
        string ClassName,
        string Name,
        int InputSize,
        EquatableArray<DeclaredLayer> Layers,
        string? Json,
        string? Weights,
        LocationInfo Attribute)
    {
        /// <summary>The saved model path of <c>[Model("m.keras")]</c> as written, or null.</summary>
        public string? SavedModel { get; init; }
    }
}
