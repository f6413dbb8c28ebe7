using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Tests.Infrastructure
{
    /// <summary>
    /// The generator's internal constants (tracking names, diagnostic descriptors), read by reflection so that the tests
    /// follow the generator without it having to expose its internals.
    /// </summary>
    internal static class GeneratorInternals
    {
        private static readonly Assembly s_generator = typeof(ModelGenGenerator).Assembly;

        /// <summary>Every <c>TrackingNames</c> constant, ordinally sorted.</summary>
        public static readonly IReadOnlyList<string> TrackingNames = s_generator
            .GetType("ModelGen.Generator.TrackingNames", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();

        /// <summary>Every descriptor in <c>DiagnosticDescriptors</c>, ordered by ID.</summary>
        public static readonly IReadOnlyList<DiagnosticDescriptor> Descriptors = s_generator
            .GetType("ModelGen.Generator.Diagnostics.DiagnosticDescriptors", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToArray();

        /// <summary>The version the generator stamps into <c>[GeneratedCode]</c>.</summary>
        public static string Version => s_generator.GetName().Version?.ToString(3) ?? "0.0.0";

        /// <summary>The tracking name <paramref name="name"/>, failing if the generator has no such constant.</summary>
        public static string Step(string name) => TrackingNames.Contains(name, StringComparer.Ordinal)
            ? name
            : throw new InvalidOperationException($"The generator's TrackingNames has no constant '{name}'; update the tests.");
    }

    /// <summary>The generator's tracked step names, checked against its <c>TrackingNames</c> class.</summary>
    internal static class Steps
    {
        /// <summary>FAWMN transform: attribute-declared model read into (spec, diagnostics).</summary>
        public static readonly string AttributeModels = GeneratorInternals.Step(nameof(AttributeModels));

        /// <summary>The cached projection: specs only.</summary>
        public static readonly string ModelSpecs = GeneratorInternals.Step(nameof(ModelSpecs));

        /// <summary>The uncached projection: diagnostics only.</summary>
        public static readonly string ModelDiagnostics = GeneratorInternals.Step(nameof(ModelDiagnostics));

        /// <summary>[Dense] on any class, reported when the class has no [Model] (diagnostics only).</summary>
        public static readonly string OrphanDense = GeneratorInternals.Step(nameof(OrphanDense));

        /// <summary>Models that name a JSON or weights file.</summary>
        public static readonly string ModelRequests = GeneratorInternals.Step(nameof(ModelRequests));

        /// <summary>Each JSON AdditionalFile parsed.</summary>
        public static readonly string JsonFiles = GeneratorInternals.Step(nameof(JsonFiles));

        /// <summary>Each weights AdditionalFile decoded.</summary>
        public static readonly string WeightsFiles = GeneratorInternals.Step(nameof(WeightsFiles));

        /// <summary>Requests joined with their files.</summary>
        public static readonly string ResolvedModels = GeneratorInternals.Step(nameof(ResolvedModels));

        /// <summary>The specs of resolved models.</summary>
        public static readonly string ResolvedSpecs = GeneratorInternals.Step(nameof(ResolvedSpecs));

        /// <summary>[Activation] on any class, reported when the class has no [Model] (diagnostics only).</summary>
        public static readonly string OrphanActivation = GeneratorInternals.Step(nameof(OrphanActivation));

        /// <summary>[Dropout] on any class, reported when the class has no [Model] (diagnostics only).</summary>
        public static readonly string OrphanDropout = GeneratorInternals.Step(nameof(OrphanDropout));

        /// <summary>
        /// Steps whose outputs carry real <see cref="Diagnostic"/>s by design (STYLE.md section 2: the reader yields
        /// (spec, diagnostics) and the pair is split right away). The object-graph walk does not look inside a
        /// <see cref="Diagnostic"/> in these steps, and skips <see cref="ModelDiagnostics"/> altogether.
        /// </summary>
        public static readonly IReadOnlyCollection<string> CarryingDiagnostics = new[] { AttributeModels, ModelDiagnostics, OrphanDense, OrphanActivation, OrphanDropout };

    }
}
