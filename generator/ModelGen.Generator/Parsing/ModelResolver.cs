using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Formats;
using ModelGen.Formats.Keras;
using ModelGen.Formats.Weights;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>A <see cref="ModelRequest"/> completed with its files: the spec when everything fits, and the diagnostics.</summary>
    /// <remarks>Holds only a spec and equatable diagnostic stand-ins, so the join's output caches.</remarks>
    internal sealed record ResolvedModel(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// Completes a <see cref="ModelRequest"/> with the JSON declaration and the weights file it names: finds each file by path,
    /// passes on the file's own diagnostics, lays out the layers and checks that the weights fit.
    /// </summary>
    internal static class ModelResolver
    {
        /// <summary>Resolves <paramref name="request"/> against the project's parsed JSON and weights files.</summary>
        /// <param name="request">The model.</param>
        /// <param name="jsonFiles">Every parsed <c>.json</c> AdditionalFile.</param>
        /// <param name="weightsFiles">Every decoded weights file.</param>
        /// <param name="projectDirectory">The project directory (<c>build_property.ProjectDir</c>), or null when unknown.</param>
        public static ResolvedModel Resolve(ModelRequest request, ImmutableArray<JsonModelFile> jsonFiles, ImmutableArray<WeightsFile> weightsFiles, string? projectDirectory)
        {
            var diagnostics = new List<DiagnosticInfo>();
            LocationInfo at = request.Attribute;
            int inputs = request.InputSize;
            DeclaredLayer[] declared = request.Layers.AsSpan().ToArray();
            string source = "attributes on " + request.Name;
            EquatableArray<JsonWeightGroup> manifest = default;
            EquatableArray<string> denseNames = default;
            EquatableArray<string> weightClasses = default;
            WeightsFile? savedModel = null;
            EquatableArray<float>? onnxWeights = null;
            EquatableArray<float> onnxState = default;

            if (request.Json is not null)
            {
                JsonModelFile? file = Find(request, "Json", request.Json, jsonFiles, f => f.Path, projectDirectory, DiagnosticDescriptors.JsonFileNotFound, diagnostics);
                if (file is null) return Failed(diagnostics);
                diagnostics.AddRange(file.Diagnostics);
                if (!file.Usable) return Failed(diagnostics);
                if (inputs != 0 && inputs != file.InputSize)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSizeMismatch, at, request.Name, inputs, request.Json, file.InputSize));
                    return Failed(diagnostics);
                }
                inputs = file.InputSize;
                declared = file.Layers.AsSpan().ToArray();
                source = request.Json + " (" + file.Format + ")";
                manifest = file.WeightsManifest;
                denseNames = file.DenseLayerNames;
                weightClasses = file.WeightLayerClasses;
            }
            else if (request.SavedModel is not null)
            {
                // [Model("m.keras")]: the architecture is the file's model config, read by the Keras config reader.
                savedModel = Find(request, "path", request.SavedModel, weightsFiles, f => f.SourcePath, projectDirectory, DiagnosticDescriptors.SavedModelNotFound, diagnostics);
                if (savedModel is null) return Failed(diagnostics);
                if (savedModel.Format == SavedModelReader.OnnxFormat)
                {
                    // [Model("m.onnx")]: the reader mapped the graph to layers; the weights are the file's, in layer order.
                    if (savedModel.Error is not null || savedModel.Onnx is null || savedModel.Onnx.Layers.Count == 0)
                    {
                        bool batchNorm = savedModel.Onnx?.BatchNormalization == true;
                        diagnostics.Add(DiagnosticInfo.Create(batchNorm ? DiagnosticDescriptors.OnnxBatchNormalization : DiagnosticDescriptors.OnnxUnsupported, at, request.Name, request.SavedModel, savedModel.Error ?? "it has no layers"));
                        return Failed(diagnostics);
                    }
                    inputs = savedModel.Onnx.InputSize;
                    declared = savedModel.Onnx.Layers.AsSpan().ToArray();
                    source = request.SavedModel + " (" + savedModel.Onnx.Description + ")";
                    onnxWeights = savedModel.Values;
                    onnxState = savedModel.Onnx.State;
                }
                else
                {
                    if (savedModel.Error is not null || savedModel.Keras is null)
                    {
                        string why = savedModel.Error ?? "it is a " + savedModel.Format + " weights file, not a saved Keras model";
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SavedModelUnreadable, at, request.Name, request.SavedModel, why));
                        return Failed(diagnostics);
                    }
                    if (savedModel.Keras.ConfigJson is null)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SavedModelHoldsOnlyWeights, at, request.Name, request.SavedModel));
                        return Failed(diagnostics);
                    }
                    JsonModelFile config = KerasConfigReader.Read(savedModel.SourcePath, SourceText.From(savedModel.Keras.ConfigJson), savedModel.Keras.KerasVersion, CancellationToken.None);
                    diagnostics.AddRange(config.Diagnostics);
                    if (!config.Usable) return Failed(diagnostics);
                    inputs = config.InputSize;
                    declared = config.Layers.AsSpan().ToArray();
                    source = request.SavedModel + " (" + savedModel.Format + ", " + config.Format + ")";
                    denseNames = config.DenseLayerNames;
                    weightClasses = config.WeightLayerClasses;
                }
            }

            LayerSpec[]? layers = NetworkBuilder.Build(inputs, declared, out float inputDropout, out string? tooLarge);
            if (layers is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, at, request.Name, tooLarge));
                return Failed(diagnostics);
            }
            if (layers.Length == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, at, request.Name));
                return Failed(diagnostics);
            }

            var spec = new NetworkSpec(request.Namespace, request.ClassName, source, inputs, new EquatableArray<LayerSpec>(layers), default, inputDropout);
            if (onnxWeights is { } flat)
            {
                if (flat.Count != spec.ParameterCount)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxUnsupported, at, request.Name, request.SavedModel, $"its layers need {spec.ParameterCount} parameters but it holds {flat.Count}"));
                    return Failed(diagnostics);
                }
                return WithState(request, request.SavedModel!, spec with { Weights = flat }, onnxState, diagnostics);
            }
            if (savedModel is not null)
            {
                float[]? weights = ArrangeKeras(request, request.SavedModel!, savedModel, denseNames, weightClasses, layers, diagnostics, out float[] state);
                if (weights is null) return Failed(diagnostics);
                return WithState(request, request.SavedModel!, spec with { Weights = new EquatableArray<float>(weights) }, new EquatableArray<float>(state), diagnostics);
            }
            if (request.Weights is not null)
            {
                WeightsFile? file = Find(request, "Weights", request.Weights, weightsFiles, f => f.SourcePath, projectDirectory, DiagnosticDescriptors.WeightsFileNotFound, diagnostics);
                if (file is null) return Failed(diagnostics);
                if (file.Error is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsUnreadable, at, request.Name, request.Weights, file.Error));
                    return Failed(diagnostics);
                }
                if (file.Format == WeightFormats.RawFloat32 && manifest.Count > 0 && ManifestMisfit(manifest, layers) is string misfit)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsManifestMisfit, at, request.Name, request.Json, misfit));
                    return Failed(diagnostics);
                }
                if (file.Format == SavedModelReader.OnnxFormat)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxNotSupported, at, request.Name, request.Weights));
                    return Failed(diagnostics);
                }
                if (file.Keras is not null)
                {
                    // A Keras weights file (.h5, .weights.h5, or the weights of a .keras / full .h5): matched by layer.
                    float[]? weights = ArrangeKeras(request, request.Weights, file, denseNames, weightClasses, layers, diagnostics, out float[] state);
                    if (weights is null) return Failed(diagnostics);
                    return WithState(request, request.Weights, spec with { Weights = new EquatableArray<float>(weights) }, new EquatableArray<float>(state), diagnostics);
                }
                file = JoinShards(request, file, weightsFiles, diagnostics);
                if (file is null) return Failed(diagnostics);
                if (file.Values.Count != spec.ParameterCount)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsCountMismatch, at, request.Name, spec.ParameterCount, request.Weights, file.Format, file.Values.Count));
                    return Failed(diagnostics);
                }
                float[]? arranged = WeightsLayout.Arrange(file, inputs, layers, out string? layoutError);
                if (arranged is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsUnreadable, at, request.Name, request.Weights, layoutError));
                    return Failed(diagnostics);
                }
                spec = spec with { Weights = new EquatableArray<float>(arranged) };
                if (spec.StateCount > 0)
                {
                    // Only Keras files carry BatchNormalization / Normalization vectors; compiling in the Dense weights with
                    // Keras's initial normalization state would make a different model.
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AffineStateUnusable, at, request.Name, request.Weights,
                        $"it is a {file.Format} file, which holds the Dense weights only, and the model's BatchNormalization / Normalization layers need their {spec.StateCount} stored values: give the Keras weights file (.h5, .weights.h5 or .keras) instead"));
                    return Failed(diagnostics);
                }
            }
            return new ResolvedModel(spec, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
        }

        /// <summary>
        /// The model with its compiled-in non-trainable state, after folding it once (MGEN056 naming the layer when a layer
        /// cannot use its vectors).
        /// </summary>
        private static ResolvedModel WithState(ModelRequest request, string path, NetworkSpec spec, EquatableArray<float> state, List<DiagnosticInfo> diagnostics)
        {
            if (state.Count != spec.StateCount)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AffineStateUnusable, request.Attribute, request.Name, path, $"the file holds {state.Count} normalization values, the layers need {spec.StateCount}"));
                return Failed(diagnostics);
            }
            spec = spec with { State = state };
            if (spec.HasAffine && Emit.AffinePlan.Fold(spec, Emit.AffinePlan.State(spec), out _) is string error)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AffineStateUnusable, request.Attribute, request.Name, path, error));
                return Failed(diagnostics);
            }
            return new ResolvedModel(spec, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
        }

        /// <summary>
        /// The parameters from a Keras file: its Dense layers found by the architecture's Dense layer names (or in order),
        /// checked against the model's; reports MGEN055 and returns null when they do not fit.
        /// </summary>
        private static float[]? ArrangeKeras(ModelRequest request, string path, WeightsFile file, EquatableArray<string> denseNames, EquatableArray<string> weightClasses, LayerSpec[] layers, List<DiagnosticInfo> diagnostics, out float[] state)
        {
            state = Array.Empty<float>();
            KerasModelFile keras = SavedModelReader.ToKerasFile(file);
            string[] names = denseNames.AsSpan().ToArray();
            string[] classes = weightClasses.Count == names.Length ? weightClasses.AsSpan().ToArray() : names.Select(_ => "Dense").ToArray();
            var expected = names.Length > 0 ? names.Select((n, i) => new KeyValuePair<string, string>(n, classes[i])).ToList() : null;
            var slots = new List<KerasWeightSlot>();
            foreach (LayerSpec layer in layers)
            {
                if (layer.Kind == LayerKind.Dense) slots.Add(new KerasWeightSlot("Dense", layer.Inputs, layer.Units, layer.UseBias, 0));
                else if (layer.Kind == LayerKind.Affine && layer.Affine.Stored) slots.Add(new KerasWeightSlot(layer.Affine.ClassName, layer.Inputs, layer.Units, false, layer.Affine.StoredNames.Length));
            }
            var selected = KerasModelWeights.Select(keras, expected);
            FormatResult<KerasArrangedWeights> arranged = selected.Value is { } chosen
                ? KerasModelWeights.Arrange(chosen, slots)
                : FormatResult<KerasArrangedWeights>.Fail(selected.Error!);
            if (arranged.Value is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KerasWeightsMisfit, request.Attribute, request.Name, path, arranged.Error));
                return null;
            }
            state = arranged.Value.State;
            return arranged.Value.Parameters;
        }

        /// <summary>Why the TensorFlow.js <c>weightsManifest</c> does not describe the raw float32 stream the layers expect, or null.</summary>
        private static string? ManifestMisfit(EquatableArray<JsonWeightGroup> manifest, LayerSpec[] layers)
        {
            var tensors = new List<(string Name, int[] Shape, string DType, string? QuantizationDType)>();
            foreach (JsonWeightGroup group in manifest)
            {
                foreach (JsonWeightEntry entry in group.Weights) tensors.Add((entry.Name, entry.Shape.AsSpan().ToArray(), entry.DType, entry.QuantizationDType));
            }
            return TfjsWeightsManifest.Misfit(tensors, layers.Where(l => l.Kind == LayerKind.Dense).Select(l => (l.Inputs, l.Units, l.UseBias)));
        }

        private static readonly System.Text.RegularExpressions.Regex s_shard = new(@"^(?<stem>.*-shard)(?<index>[0-9]+)of(?<count>[0-9]+)\.bin$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>
        /// A TensorFlow.js weights file named <c>{group}-shard{k}of{m}.bin</c> with m &gt; 1 is one of m pieces of a single
        /// float32 stream: the pieces are found beside it (each must be a ModelGenWeights item too) and joined in order.
        /// Reports MGEN036 for a missing piece and MGEN037 for an unreadable one; returns <paramref name="file"/> unchanged for
        /// every other file.
        /// </summary>
        private static WeightsFile? JoinShards(ModelRequest request, WeightsFile file, ImmutableArray<WeightsFile> weightsFiles, List<DiagnosticInfo> diagnostics)
        {
            string path = Normalize(file.SourcePath);
            int slash = path.LastIndexOf('/');
            System.Text.RegularExpressions.Match match = s_shard.Match(path.Substring(slash + 1));
            if (!match.Success || file.Format != WeightFormats.RawFloat32 || !int.TryParse(match.Groups["count"].Value, out int count) || count < 2 || count > 10_000) return file;
            string stem = path.Substring(0, slash + 1) + match.Groups["stem"].Value;
            string written = Normalize(request.Weights!);
            string writtenStem = written.Substring(0, written.LastIndexOf('/') + 1) + match.Groups["stem"].Value;
            var values = new List<float>();
            for (int k = 1; k <= count; k++)
            {
                string shardName = k.ToString(System.Globalization.CultureInfo.InvariantCulture) + "of" + match.Groups["count"].Value + ".bin";
                string shardPath = stem + shardName;
                WeightsFile? shard = weightsFiles.FirstOrDefault(candidate => string.Equals(Normalize(candidate.SourcePath), shardPath, StringComparison.Ordinal));
                if (shard is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileNotFound, request.Attribute, request.Name, writtenStem + shardName));
                    return null;
                }
                if (shard.Error is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsUnreadable, request.Attribute, request.Name, writtenStem + shardName, shard.Error));
                    return null;
                }
                values.AddRange(shard.Values.AsSpan().ToArray());
            }
            return new WeightsFile(file.SourcePath, file.Format + ", " + count + " TF.js shards", new EquatableArray<float>(values.ToArray()), null);
        }

        private static ResolvedModel Failed(List<DiagnosticInfo> diagnostics) => new(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));

        /// <summary>
        /// The file <paramref name="path"/> names: relative paths are taken from the project directory; without a match there
        /// (or without a project directory), the one file whose path ends with <paramref name="path"/> on a folder boundary.
        /// Reports <paramref name="notFound"/> when no file matches, and MGEN041 when several match that way.
        /// </summary>
        private static T? Find<T>(ModelRequest request, string property, string path, ImmutableArray<T> files, Func<T, string> pathOf, string? projectDirectory, Microsoft.CodeAnalysis.DiagnosticDescriptor notFound, List<DiagnosticInfo> diagnostics)
            where T : class
        {
            string wanted = Normalize(path);
            bool rooted = IsRooted(wanted);
            if (projectDirectory is { Length: > 0 } || rooted)
            {
                string full = rooted ? wanted : Collapse(Normalize(projectDirectory!).TrimEnd('/') + "/" + wanted);
                foreach (T file in files)
                {
                    if (string.Equals(Collapse(Normalize(pathOf(file))), full, StringComparison.Ordinal)) return file;
                }
                if (rooted)
                {
                    diagnostics.Add(DiagnosticInfo.Create(notFound, request.Attribute, request.Name, path));
                    return null;
                }
            }
            string suffix = "/" + Collapse(wanted).TrimStart('/');
            var matches = new List<T>();
            foreach (T file in files)
            {
                string candidate = "/" + Collapse(Normalize(pathOf(file))).TrimStart('/');
                if (candidate.EndsWith(suffix, StringComparison.Ordinal)) matches.Add(file);
            }
            if (matches.Count == 1) return matches[0];
            if (matches.Count > 1)
            {
                string names = string.Join(", ", matches.Select(pathOf).OrderBy(p => p, StringComparer.Ordinal));
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AmbiguousPath, request.Attribute, request.Name, property, path, names));
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(notFound, request.Attribute, request.Name, path));
            }
            return null;
        }

        private static string Normalize(string path) => path.Trim().Replace('\\', '/');

        private static bool IsRooted(string path) => path.StartsWith("/", StringComparison.Ordinal) || (path.Length >= 3 && path[1] == ':' && path[2] == '/');

        /// <summary>Removes <c>.</c> segments, folds <c>..</c> into its parent, and collapses repeated separators.</summary>
        private static string Collapse(string path)
        {
            string[] parts = path.Split('/');
            var kept = new List<string>(parts.Length);
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i];
                if (part == "." || (part.Length == 0 && i > 0)) continue;
                if (part == ".." && kept.Count > 0 && kept[kept.Count - 1] is not (".." or "")) kept.RemoveAt(kept.Count - 1);
                else kept.Add(part);
            }
            return string.Join("/", kept);
        }
    }
}
