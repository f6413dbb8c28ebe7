using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>What a reader produces: a spec when the declaration is usable, and its diagnostics.</summary>
    /// <remarks>
    /// This pair is split right after the transform: the spec half is cached, the diagnostics half carries real
    /// <see cref="Diagnostic"/>s (with locations) and is not.
    /// </remarks>
    /// <remarks>
    /// A model that names a JSON or weights file has no spec yet: its <see cref="Request"/> is completed by
    /// <see cref="ModelResolver"/> once the AdditionalFiles are read.
    /// </remarks>
    internal readonly record struct ModelResult(NetworkSpec? Spec, ImmutableArray<Diagnostic> Diagnostics, ModelRequest? Request = null);

    /// <summary>Reads a <c>[Model]</c> class and its <c>[Dense]</c> / <c>[Activation]</c> attributes into a <see cref="NetworkSpec"/>.</summary>
    internal static class AttributeReader
    {
        /// <summary>Metadata name of <c>ModelAttribute</c>.</summary>
        public const string ModelAttributeName = "ModelGen.ModelAttribute";
        /// <summary>Metadata name of <c>DenseAttribute</c>.</summary>
        public const string DenseAttributeName = "ModelGen.DenseAttribute";
        /// <summary>Metadata name of <c>ActivationAttribute</c>.</summary>
        public const string ActivationAttributeName = "ModelGen.ActivationAttribute";
        /// <summary>Metadata name of <c>DropoutAttribute</c>.</summary>
        public const string DropoutAttributeName = "ModelGen.DropoutAttribute";

        /// <summary>The activation parameters, in the order of <see cref="ActivationParameterKinds"/> bits and of the <c>given</c> array of <see cref="ResolveActivation"/>.</summary>
        public static readonly string[] ActivationParameterNames = { "Alpha", "NegativeSlope", "Threshold", "DefaultValue", "B" };

        /// <summary>Reads the model declared on <paramref name="context"/>'s target class.</summary>
        public static ModelResult Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            AttributeData modelAttribute = context.Attributes[0];
            Location modelLocation = LocationOf(modelAttribute, declaration, cancellationToken);
            Location nameLocation = declaration.Identifier.GetLocation();
            string name = symbol.Name;
            // A declaration without a name (a syntax error the compiler reports) has nothing to generate into.
            if (declaration.Identifier.IsMissing || name.Length == 0) return new ModelResult(null, ImmutableArray<Diagnostic>.Empty);

            bool usable = true;
            if (declaration is RecordDeclarationSyntax)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.RecordClass, nameLocation, name));
                return new ModelResult(null, diagnostics.ToImmutable());
            }
            foreach (SyntaxToken modifier in declaration.Modifiers)
            {
                // Roslyn 4.3 has no SyntaxKind for 'file'; the token text is enough.
                if (modifier.Text == "file")
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.FileLocalClass, nameLocation, name));
                    usable = false;
                }
            }
            if (IsReserved(symbol.Name))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ReservedName, nameLocation, symbol.Name, name));
                usable = false;
            }
            foreach (ISymbol member in symbol.GetMembers())
            {
                if (member.IsImplicitlyDeclared || !IsReserved(member.Name)) continue;
                Location memberLocation = member.Locations.Length > 0 ? member.Locations[0] : nameLocation;
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ReservedName, memberLocation, member.Name, name));
                usable = false;
            }
            for (INamedTypeSymbol? baseType = symbol.BaseType; baseType is not null; baseType = baseType.BaseType)
            {
                foreach (AttributeData attribute in baseType.GetAttributes())
                {
                    if (attribute.AttributeClass?.ToDisplayString() != ModelAttributeName) continue;
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DerivedModel, nameLocation, name, baseType.Name));
                    usable = false;
                }
            }
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotPartial, nameLocation, name));
                usable = false;
            }
            if (symbol.IsStatic)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.StaticClass, nameLocation, name));
                usable = false;
            }
            if (symbol.ContainingType is { } outer)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NestedClass, nameLocation, name, outer.ToDisplayString()));
                usable = false;
            }
            if (symbol.TypeParameters.Length > 0)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GenericClass, nameLocation, name));
                usable = false;
            }

            // [Model(inputs)] or [Model(Json = ...)].
            int inputs = 0;
            bool hasInputs = false;
            string? json = null, weights = null;
            if (modelAttribute.ConstructorArguments.Length == 1)
            {
                if (modelAttribute.ConstructorArguments[0].Value is not int value) return new ModelResult(null, diagnostics.ToImmutable());
                inputs = value;
                hasInputs = true;
            }
            foreach (KeyValuePair<string, TypedConstant> named in modelAttribute.NamedArguments)
            {
                if (named.Key == "Json") json = named.Value.Value as string;
                else if (named.Key == "Weights") weights = named.Value.Value as string;
            }
            if (json is not null && json.Trim().Length == 0)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.EmptyPath, modelLocation, name, "Json"));
                usable = false;
            }
            if (weights is not null && weights.Trim().Length == 0)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.EmptyPath, modelLocation, name, "Weights"));
                usable = false;
            }
            if (json is not null)
            {
                // The layers come from the file; the resolver reads it. Inputs, when given too, must agree with it.
                if (hasInputs && inputs <= 0)
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NonPositiveSize, modelLocation, "The input size of model '" + name + "'", inputs));
                    usable = false;
                }
                foreach (AttributeData attribute in symbol.GetAttributes())
                {
                    if (attribute.AttributeClass?.ToDisplayString() is not (DenseAttributeName or ActivationAttributeName or DropoutAttributeName)) continue;
                    Location layerLocation = LocationOf(attribute, declaration, cancellationToken);
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.JsonAndLayerAttributes, layerLocation, name, json));
                    usable = false;
                }
                if (!usable) return new ModelResult(null, diagnostics.ToImmutable());
                ModelRequest jsonRequest = Request(symbol, name, hasInputs ? inputs : 0, new DeclaredLayer[0], json, weights, modelLocation);
                return new ModelResult(null, diagnostics.ToImmutable(), jsonRequest);
            }
            if (!hasInputs)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MissingInputs, modelLocation, name));
                usable = false;
            }
            else if (inputs <= 0)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NonPositiveSize, modelLocation, "The input size of model '" + name + "'", inputs));
                usable = false;
            }
            else if (inputs > NetworkBuilder.MaxWidth)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ModelTooLarge, modelLocation, name, $"{inputs} inputs (the limit is {NetworkBuilder.MaxWidth})"));
                usable = false;
            }

            // Layer attributes, in source order, all on the [Model] declaration.
            var layerAttributes = new List<(AttributeData Data, SyntaxNode Syntax)>();
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                string? attributeName = attribute.AttributeClass?.ToDisplayString();
                if (attributeName is not (DenseAttributeName or ActivationAttributeName or DropoutAttributeName)) continue;
                SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                if (syntax is null) continue;
                if (syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() != declaration)
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.LayersSplitAcrossPartials, syntax.GetLocation(), name));
                    usable = false;
                    continue;
                }
                layerAttributes.Add((attribute, syntax));
            }
            layerAttributes.Sort((a, b) => a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart));
            if (layerAttributes.Count == 0 && usable)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NoLayers, modelLocation, name));
                usable = false;
            }

            var declared = new List<DeclaredLayer>(layerAttributes.Count);
            int width = inputs;
            foreach ((AttributeData data, SyntaxNode syntax) in layerAttributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                DeclaredLayer? layer = ReadLayer(data, syntax.GetLocation(), ref width, diagnostics);
                if (layer is null) usable = false;
                else declared.Add(layer.Value);
            }
            if (!usable) return new ModelResult(null, diagnostics.ToImmutable());
            if (weights is not null)
            {
                return new ModelResult(null, diagnostics.ToImmutable(), Request(symbol, name, inputs, declared.ToArray(), null, weights, modelLocation));
            }

            LayerSpec[]? layers = NetworkBuilder.Build(inputs, declared.ToArray(), out float inputDropout, out string? tooLarge);
            if (layers is null)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ModelTooLarge, modelLocation, name, tooLarge));
                return new ModelResult(null, diagnostics.ToImmutable());
            }

            if (layers.Length == 0)
            {
                // Only linear Activation layers: nothing to compute.
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NoLayers, modelLocation, name));
                return new ModelResult(null, diagnostics.ToImmutable());
            }

            var spec = new NetworkSpec(NamespaceOf(symbol), ClassNameOf(symbol), "attributes on " + symbol.Name, inputs, new EquatableArray<LayerSpec>(layers), default, inputDropout);
            return new ModelResult(spec, diagnostics.ToImmutable());
        }

        private static string NamespaceOf(INamedTypeSymbol symbol) =>
            symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString();

        // Keyword names (class @struct) must stay escaped in the generated declaration; the namespace display string already is.
        private static string ClassNameOf(INamedTypeSymbol symbol) =>
            SyntaxFacts.GetKeywordKind(symbol.Name) == SyntaxKind.None ? symbol.Name : "@" + symbol.Name;

        private static ModelRequest Request(INamedTypeSymbol symbol, string name, int inputs, DeclaredLayer[] layers, string? json, string? weights, Location attribute)
        {
            FileLinePositionSpan lines = attribute.GetLineSpan();
            var location = new LocationInfo(
                lines.Path ?? "", attribute.SourceSpan.Start, attribute.SourceSpan.Length,
                lines.StartLinePosition.Line, lines.StartLinePosition.Character, lines.EndLinePosition.Line, lines.EndLinePosition.Character);
            return new ModelRequest(NamespaceOf(symbol), ClassNameOf(symbol), name, inputs, new EquatableArray<DeclaredLayer>(layers), json, weights, location);
        }

        /// <summary>True for names the generated code declares in the model class: the emitter's own list, <see cref="Emit.GeneratedNames"/>.</summary>
        public static bool IsReserved(string name) => Emit.GeneratedNames.IsReserved(name);

        /// <summary>Reports a layer attribute on a class that has no <c>[Model]</c>; empty otherwise.</summary>
        public static ImmutableArray<Diagnostic> ReadOrphanLayer(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            foreach (AttributeData attribute in context.TargetSymbol.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == ModelAttributeName) return ImmutableArray<Diagnostic>.Empty;
            }
            AttributeData first = context.Attributes[0];
            string shortName = first.AttributeClass?.Name.Replace("Attribute", "") ?? "Dense";
            Location location = LocationOf(first, context.TargetNode, cancellationToken);
            return ImmutableArray.Create(Diagnostic.Create(DiagnosticDescriptors.LayerWithoutModel, location, shortName, context.TargetSymbol.Name));
        }

        private static Location LocationOf(AttributeData attribute, SyntaxNode fallback, CancellationToken cancellationToken) =>
            attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? fallback.GetLocation();

        private static DeclaredLayer? ReadLayer(AttributeData data, Location location, ref int width, ImmutableArray<Diagnostic>.Builder diagnostics)
        {
            if (data.AttributeClass?.ToDisplayString() == DropoutAttributeName)
            {
                if (data.AttributeConstructor is null || data.ConstructorArguments.Length != 1) return null; // the compiler reports it
                TypedConstant argument = data.ConstructorArguments[0];
                if (argument.Kind == TypedConstantKind.Error || argument.Value is not float rate) return null;
                if (!(rate >= 0f && rate < 1f))
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DropoutRateOutOfRange, location, rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                    return null;
                }
                return DeclaredLayer.Dropout(rate);
            }
            bool isDense = data.AttributeClass?.ToDisplayString() == DenseAttributeName;
            ImmutableArray<TypedConstant> args = data.ConstructorArguments;
            // An attribute that did not bind (missing, extra or mistyped arguments, syntax errors) has no constructor and may
            // have no arguments at all; the compiler reports it.
            if (data.AttributeConstructor is null || args.Length < (isDense ? 2 : 1)) return null;
            foreach (TypedConstant arg in args)
            {
                if (arg.Kind == TypedConstantKind.Error || arg.Value is null) return null; // the compiler reports it
            }

            int units = 0;
            int activationValue;
            if (isDense)
            {
                units = (int)args[0].Value!;
                activationValue = args.Length > 1 ? (int)args[1].Value! : (int)Activation.Linear;
                if (units <= 0)
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NonPositiveSize, location, "Dense units", units));
                    return null;
                }
                if (units > NetworkBuilder.MaxWidth)
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ModelTooLarge, location, data.AttributeClass!.Name, $"a layer of {units} units (the limit is {NetworkBuilder.MaxWidth})"));
                    return null;
                }
            }
            else
            {
                activationValue = (int)args[0].Value!;
            }
            bool ok = true;
            if (!ActivationCatalog.IsDefined(activationValue))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.UndefinedEnumValue, location, activationValue, "Activation"));
                return null;
            }
            var activation = (Activation)activationValue;

            bool useBias = true;
            Initializer kernel = Initializer.GlorotUniform, bias = Initializer.Zeros;
            var given = new float?[ActivationParameterNames.Length];
            foreach (KeyValuePair<string, TypedConstant> named in data.NamedArguments)
            {
                if (named.Value.Kind == TypedConstantKind.Error || named.Value.Value is null) return null;
                switch (named.Key)
                {
                    case "UseBias": useBias = (bool)named.Value.Value; break;
                    case "KernelInitializer": ok &= ReadInitializer(named.Value, location, diagnostics, out kernel); break;
                    case "BiasInitializer": ok &= ReadInitializer(named.Value, location, diagnostics, out bias); break;
                    default:
                        int index = System.Array.IndexOf(ActivationParameterNames, named.Key);
                        if (index >= 0) given[index] = (float)named.Value.Value;
                        break;
                }
            }

            ActivationSpec? spec = ResolveActivation(activation, given, (descriptor, arguments) => diagnostics.Add(Diagnostic.Create(descriptor, location, arguments)));
            if (spec is null) ok = false;

            int before = isDense ? units : width;
            if (!ActivationCatalog.AcceptsWidth(activation, before))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GluOddWidth, location, before));
                ok = false;
            }
            width = ActivationCatalog.OutputWidth(activation, before);
            if (!ok) return null;
            return new DeclaredLayer(isDense ? LayerKind.Dense : LayerKind.Activation, units, spec!.Value, useBias, kernel, bias);
        }

        private static bool ReadInitializer(TypedConstant value, Location location, ImmutableArray<Diagnostic>.Builder diagnostics, out Initializer initializer)
        {
            int raw = (int)value.Value!;
            initializer = (Initializer)raw;
            if (raw < 0 || raw > (int)Initializer.TruncatedNormal)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.UndefinedEnumValue, location, raw, "Initializer"));
                return false;
            }
            return true;
        }

        /// <summary>
        /// Fills in Keras defaults for the parameters <paramref name="activation"/> takes, warns about parameters it does
        /// not take, and rejects missing or unusable values. Shared by every reader: each reader turns the
        /// (descriptor, message arguments) pairs given to <paramref name="report"/> into diagnostics at its own location.
        /// <paramref name="given"/> is indexed like <see cref="ActivationParameterNames"/>.
        /// </summary>
        public static ActivationSpec? ResolveActivation(Activation activation, float?[] given, System.Action<DiagnosticDescriptor, object[]> report)
        {
            ActivationParameterKinds takes = ActivationCatalog.Parameters(activation);
            ActivationParameterKinds required = ActivationCatalog.RequiredParameters(activation);
            var values = new float[ActivationParameterNames.Length];
            bool ok = true;
            for (int i = 0; i < ActivationParameterNames.Length; i++)
            {
                var kind = (ActivationParameterKinds)(1 << i);
                if ((takes & kind) == 0)
                {
                    if (given[i] is not null)
                    {
                        report(DiagnosticDescriptors.UnusedActivationParameter, new object[] { ActivationParameterNames[i], activation });
                    }
                    values[i] = float.NaN;
                    continue;
                }
                float? value = given[i];
                if (value is null && (required & kind) != 0)
                {
                    report(DiagnosticDescriptors.MissingActivationParameter, new object[] { activation, ActivationParameterNames[i] });
                    ok = false;
                    continue;
                }
                float v = value ?? ActivationCatalog.DefaultOf(activation, kind);
                string? problem = float.IsNaN(v) || float.IsInfinity(v) ? "it must be a finite number"
                    : kind == ActivationParameterKinds.Alpha && activation == Activation.Celu && v == 0 ? "celu divides by alpha, so it must not be 0"
                    : kind == ActivationParameterKinds.B && v < 0 ? "b must not be negative"
                    : kind == ActivationParameterKinds.Threshold && activation != Activation.Threshold && v < 0 ? "a shrink threshold must not be negative"
                    : null;
                if (problem is not null)
                {
                    report(DiagnosticDescriptors.InvalidActivationParameter, new object[] { ActivationParameterNames[i], v, activation, problem });
                    ok = false;
                    continue;
                }
                values[i] = v;
            }
            return ok ? new ActivationSpec(activation, values[0], values[1], values[2], values[3], values[4]) : null;
        }
    }
}
