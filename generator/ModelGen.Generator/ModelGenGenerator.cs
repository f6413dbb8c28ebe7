using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Emit;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;

namespace ModelGen.Generator
{
    /// <summary>
    /// The ModelGen incremental generator: reads <c>[Model]</c> classes into <see cref="NetworkSpec"/>s and emits their
    /// unrolled forward and backward code. Every step runs through <see cref="PipelineGuard"/>: no exception escapes.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ModelGenGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // Attribute-declared models: FAWMN finds [Model] classes without a semantic walk of every node; the
            // transform reads everything it needs into a spec plus diagnostics and keeps no symbols.
            IncrementalValuesProvider<ModelResult> models = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    AttributeReader.ModelAttributeName,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (ctx, ct) => PipelineGuard.ReadModel(ctx, ct))
                .WithTrackingName(TrackingNames.AttributeModels);

            // The cached half: only equatable specs reach the emitter, so edits that leave a model unchanged emit nothing.
            IncrementalValuesProvider<NetworkSpec> specs = models
                .Where(static r => r.Spec is not null)
                .Select(static (r, _) => r.Spec!)
                .WithTrackingName(TrackingNames.ModelSpecs);

            // The uncached half: real diagnostics with their source locations.
            IncrementalValuesProvider<ImmutableArray<Diagnostic>> diagnostics = models
                .Select(static (r, _) => r.Diagnostics)
                .WithTrackingName(TrackingNames.ModelDiagnostics);

            // [Dense] or [Activation] on a class without [Model] does nothing; say so.
            IncrementalValuesProvider<ImmutableArray<Diagnostic>> orphanDense = context.SyntaxProvider
                .ForAttributeWithMetadataName(AttributeReader.DenseAttributeName, static (node, _) => node is ClassDeclarationSyntax, static (ctx, ct) => PipelineGuard.ReadOrphanLayer(ctx, ct))
                .WithTrackingName(TrackingNames.OrphanDense);
            IncrementalValuesProvider<ImmutableArray<Diagnostic>> orphanActivation = context.SyntaxProvider
                .ForAttributeWithMetadataName(AttributeReader.ActivationAttributeName, static (node, _) => node is ClassDeclarationSyntax, static (ctx, ct) => PipelineGuard.ReadOrphanLayer(ctx, ct))
                .WithTrackingName(TrackingNames.OrphanActivation);
            IncrementalValuesProvider<ImmutableArray<Diagnostic>> orphanDropout = context.SyntaxProvider
                .ForAttributeWithMetadataName(AttributeReader.DropoutAttributeName, static (node, _) => node is ClassDeclarationSyntax, static (ctx, ct) => PipelineGuard.ReadOrphanLayer(ctx, ct))
                .WithTrackingName(TrackingNames.OrphanDropout);

            // Models that name a JSON declaration or a weights file are completed by a join with those files.
            IncrementalValuesProvider<ModelRequest> requests = models
                .Where(static r => r.Request is not null)
                .Select(static (r, _) => r.Request!)
                .WithTrackingName(TrackingNames.ModelRequests);

            // Each JSON file is parsed on its own, so editing one re-parses no other; the join below only looks results up.
            IncrementalValueProvider<ImmutableArray<JsonModelFile>> jsonFiles = context.AdditionalTextsProvider
                .Where(static t => t.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                .Select(static (t, ct) => PipelineGuard.ReadJson(t, ct))
                .WithTrackingName(TrackingNames.JsonFiles)
                .Collect();

            // Weights reach the generator as base64 text written by ModelGen's build targets (AdditionalFiles must be text).
            IncrementalValueProvider<ImmutableArray<WeightsFile>> weightsFiles = context.AdditionalTextsProvider
                .Where(static t => t.Path.EndsWith(WeightsReader.TextExtension, StringComparison.OrdinalIgnoreCase))
                .Select(static (t, ct) => PipelineGuard.ReadWeights(t, ct))
                .WithTrackingName(TrackingNames.WeightsFiles)
                .Collect();

            // Relative paths in [Model] are taken from the project directory.
            IncrementalValueProvider<string?> projectDirectory = context.AnalyzerConfigOptionsProvider
                .Select(static (o, _) => o.GlobalOptions.TryGetValue("build_property.ProjectDir", out string? dir) ? dir : null)
                .WithTrackingName(TrackingNames.ProjectDirectory);

            IncrementalValuesProvider<ResolvedModel> resolved = requests
                .Combine(jsonFiles.Combine(weightsFiles).Combine(projectDirectory))
                .Select(static (pair, ct) => PipelineGuard.Resolve(pair.Left, pair.Right.Left.Left, pair.Right.Left.Right, pair.Right.Right, ct))
                .WithTrackingName(TrackingNames.ResolvedModels);
            IncrementalValuesProvider<NetworkSpec> resolvedSpecs = resolved
                .Where(static r => r.Spec is not null)
                .Select(static (r, _) => r.Spec!)
                .WithTrackingName(TrackingNames.ResolvedSpecs);

            context.RegisterSourceOutput(resolved, static (spc, r) =>
            {
                foreach (DiagnosticInfo info in r.Diagnostics) spc.ReportDiagnostic(info.ToDiagnostic());
            });
            context.RegisterSourceOutput(resolvedSpecs, static (spc, spec) =>
                PipelineGuard.Emit(spc, spec));

            context.RegisterSourceOutput(diagnostics, static (spc, list) => Report(spc, list));
            context.RegisterSourceOutput(orphanDense, static (spc, list) => Report(spc, list));
            context.RegisterSourceOutput(orphanActivation, static (spc, list) => Report(spc, list));
            context.RegisterSourceOutput(orphanDropout, static (spc, list) => Report(spc, list));

            context.RegisterSourceOutput(specs, static (spc, spec) =>
                PipelineGuard.Emit(spc, spec));
        }

        private static void Report(SourceProductionContext context, ImmutableArray<Diagnostic> diagnostics)
        {
            foreach (Diagnostic diagnostic in diagnostics) context.ReportDiagnostic(diagnostic);
        }
    }
}
