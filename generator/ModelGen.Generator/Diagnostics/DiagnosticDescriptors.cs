using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Diagnostics
{
    /// <summary>Every diagnostic ModelGen reports. IDs are never reused.</summary>
    internal static partial class DiagnosticDescriptors
    {
        private const string Category = "ModelGen";

        /// <summary>MGEN001: a [Model] class is not partial. Message: "Model class '{0}' must be declared partial so that ModelGen can add its members".</summary>
        public static readonly DiagnosticDescriptor NotPartial = new(
            id: "MGEN001",
            title: "Model class must be partial",
            messageFormat: "Model class '{0}' must be declared partial so that ModelGen can add its members",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN002: a [Model] class declares no layers. Message: "Model '{0}' has no layers: add [Dense] or [Activation] attributes, or set Json".</summary>
        public static readonly DiagnosticDescriptor NoLayers = new(
            id: "MGEN002",
            title: "Model has no layers",
            messageFormat: "Model '{0}' has no layers: add [Dense] or [Activation] attributes, or set Json",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN003: a size is zero or negative. Message: "{0} must be positive, but is {1}".</summary>
        public static readonly DiagnosticDescriptor NonPositiveSize = new(
            id: "MGEN003",
            title: "Sizes must be positive",
            messageFormat: "{0} must be positive, but is {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN004: layer attributes on more than one partial declaration. Message: "Layers of model '{0}' are declared on several partial declarations; declare all [Dense] and [Activation] attributes on the declaration that has [Model], so that their order is defined".</summary>
        public static readonly DiagnosticDescriptor LayersSplitAcrossPartials = new(
            id: "MGEN004",
            title: "Layer attributes spread over several partial declarations",
            messageFormat: "Layers of model '{0}' are declared on several partial declarations; declare all [Dense] and [Activation] attributes on the declaration that has [Model], so that their order is defined",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN005: an enum argument is not a defined member. Message: "{0} is not a defined {1} value".</summary>
        public static readonly DiagnosticDescriptor UndefinedEnumValue = new(
            id: "MGEN005",
            title: "Undefined enum value",
            messageFormat: "{0} is not a defined {1} value",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN006: the model exceeds the generator's size limits. Message: "Model '{0}' is too large for ModelGen: {1}".</summary>
        public static readonly DiagnosticDescriptor ModelTooLarge = new(
            id: "MGEN006",
            title: "Model too large",
            messageFormat: "Model '{0}' is too large for ModelGen: {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN007: a [Model] class is nested in another type. Message: "Model class '{0}' is nested in '{1}'; ModelGen supports top-level classes only".</summary>
        public static readonly DiagnosticDescriptor NestedClass = new(
            id: "MGEN007",
            title: "Nested model classes are not supported",
            messageFormat: "Model class '{0}' is nested in '{1}'; ModelGen supports top-level classes only",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN008: a [Model] class is generic. Message: "Model class '{0}' is generic; ModelGen does not support generic model classes".</summary>
        public static readonly DiagnosticDescriptor GenericClass = new(
            id: "MGEN008",
            title: "Generic model classes are not supported",
            messageFormat: "Model class '{0}' is generic; ModelGen does not support generic model classes",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN009: an activation parameter is set that the activation does not take. Message: "{0} does not apply to activation {1} and is ignored".</summary>
        public static readonly DiagnosticDescriptor UnusedActivationParameter = new(
            id: "MGEN009",
            title: "Activation parameter does not apply",
            messageFormat: "{0} does not apply to activation {1} and is ignored",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        /// <summary>MGEN010: a required activation parameter is missing. Message: "Activation {0} needs {1}: Keras gives it no default".</summary>
        public static readonly DiagnosticDescriptor MissingActivationParameter = new(
            id: "MGEN010",
            title: "Activation parameter missing",
            messageFormat: "Activation {0} needs {1}: Keras gives it no default",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN011: an activation parameter has an unusable value. Message: "{0} = {1} is not valid for activation {2}: {3}".</summary>
        public static readonly DiagnosticDescriptor InvalidActivationParameter = new(
            id: "MGEN011",
            title: "Invalid activation parameter",
            messageFormat: "{0} = {1} is not valid for activation {2}: {3}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN012: glu on an odd width. Message: "Activation Glu splits its input in halves, so it needs an even width, but the width here is {0}".</summary>
        public static readonly DiagnosticDescriptor GluOddWidth = new(
            id: "MGEN012",
            title: "Glu needs an even width",
            messageFormat: "Activation Glu splits its input in halves, so it needs an even width, but the width here is {0}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN013: [Model] without inputs and without Json. Message: "Model '{0}' needs its input size, as [Model(inputs)], or a JSON declaration, as [Model(Json = \"...\")]".</summary>
        public static readonly DiagnosticDescriptor MissingInputs = new(
            id: "MGEN013",
            title: "Model input size missing",
            messageFormat: "Model '{0}' needs its input size, as [Model(inputs)], or a JSON declaration, as [Model(Json = \"...\")]",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN014: a [Model] class is static. Message: "Model class '{0}' is static; a model needs instances to hold its parameters".</summary>
        public static readonly DiagnosticDescriptor StaticClass = new(
            id: "MGEN014",
            title: "Model class is static",
            messageFormat: "Model class '{0}' is static; a model needs instances to hold its parameters",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN016: a layer attribute on a class without [Model]. Message: "[{0}] on '{1}' has no effect: the class has no [Model] attribute".</summary>
        public static readonly DiagnosticDescriptor LayerWithoutModel = new(
            id: "MGEN016",
            title: "Layer attribute without [Model]",
            messageFormat: "[{0}] on '{1}' has no effect: the class has no [Model] attribute",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        /// <summary>MGEN017: [Model] on a record. Message: "Model '{0}' is a record; ModelGen supports plain classes only".</summary>
        public static readonly DiagnosticDescriptor RecordClass = new(
            id: "MGEN017",
            title: "Record model classes are not supported",
            messageFormat: "Model '{0}' is a record; ModelGen supports plain classes only",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN018: [Model] on a file-local class. Message: "Model class '{0}' is file-local; the generated members live in other files, so it must not be a file type".</summary>
        public static readonly DiagnosticDescriptor FileLocalClass = new(
            id: "MGEN018",
            title: "File-local model classes are not supported",
            messageFormat: "Model class '{0}' is file-local; the generated members live in other files, so it must not be a file type",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN019: a name clashes with a generated member. Message: "'{0}' in model '{1}' clashes with a member ModelGen generates; rename it".</summary>
        public static readonly DiagnosticDescriptor ReservedName = new(
            id: "MGEN019",
            title: "Name clashes with a generated member",
            messageFormat: "'{0}' in model '{1}' clashes with a member ModelGen generates; rename it",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN020: a model derives from another model. Message: "Model '{0}' derives from model '{1}'; a model class cannot derive from another model class".</summary>
        public static readonly DiagnosticDescriptor DerivedModel = new(
            id: "MGEN020",
            title: "Model derives from a model",
            messageFormat: "Model '{0}' derives from model '{1}'; a model class cannot derive from another model class",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);
        /// <summary>MGEN035: no AdditionalFile matches a model's Json path. Message: "Model '{0}': no AdditionalFiles item matches Json = \"{1}\"; add &lt;AdditionalFiles Include=\"{1}\" /&gt; to the project (paths are relative to the project directory)".</summary>
        public static readonly DiagnosticDescriptor JsonFileNotFound = new(
            id: "MGEN035",
            title: "JSON declaration not found",
            messageFormat: "Model '{0}': no AdditionalFiles item matches Json = \"{1}\"; add <AdditionalFiles Include=\"{1}\" /> to the project (paths are relative to the project directory)",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN036: no encoded weights file matches a model's Weights path. Message: "Model '{0}': no weights file matches Weights = \"{1}\"; add &lt;ModelGenWeights Include=\"{1}\" /&gt; to the project (ModelGen's build targets pass it to the generator; paths are relative to the project directory)".</summary>
        public static readonly DiagnosticDescriptor WeightsFileNotFound = new(
            id: "MGEN036",
            title: "Weights file not found",
            messageFormat: "Model '{0}': no weights file matches Weights = \"{1}\"; add <ModelGenWeights Include=\"{1}\" /> to the project (ModelGen's build targets pass it to the generator; paths are relative to the project directory)",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN037: a weights file is corrupt, of an unknown format, or holds non-finite values. Message: "Model '{0}': weights file '{1}' cannot be read: {2}".</summary>
        public static readonly DiagnosticDescriptor WeightsUnreadable = new(
            id: "MGEN037",
            title: "Weights file cannot be read",
            messageFormat: "Model '{0}': weights file '{1}' cannot be read: {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN038: a weights file holds a different number of values than the model has parameters. Message: "Model '{0}' has {1} parameters, but weights file '{2}' ({3}) holds {4} values".</summary>
        public static readonly DiagnosticDescriptor WeightsCountMismatch = new(
            id: "MGEN038",
            title: "Weights file does not fit the model",
            messageFormat: "Model '{0}' has {1} parameters, but weights file '{2}' ({3}) holds {4} values",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN039: a JSON-declared model also has layer attributes. Message: "Model '{0}' takes its layers from Json = \"{1}\"; remove its [Dense] and [Activation] attributes".</summary>
        public static readonly DiagnosticDescriptor JsonAndLayerAttributes = new(
            id: "MGEN039",
            title: "Layers declared twice",
            messageFormat: "Model '{0}' takes its layers from Json = \"{1}\"; remove its [Dense] and [Activation] attributes",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN040: [Model(inputs, Json = ...)] names an input size the JSON file contradicts. Message: "Model '{0}' declares {1} inputs, but '{2}' gives {3}".</summary>
        public static readonly DiagnosticDescriptor InputSizeMismatch = new(
            id: "MGEN040",
            title: "Input size disagrees with the JSON declaration",
            messageFormat: "Model '{0}' declares {1} inputs, but '{2}' gives {3}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN041: a Json or Weights path matches more than one AdditionalFile and none exactly. Message: "Model '{0}': {1} = \"{2}\" matches several files ({3}); give a longer path".</summary>
        public static readonly DiagnosticDescriptor AmbiguousPath = new(
            id: "MGEN041",
            title: "Path matches several files",
            messageFormat: "Model '{0}': {1} = \"{2}\" matches several files ({3}); give a longer path",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN042: Json or Weights is an empty string. Message: "Model '{0}': {1} is empty; give the path of a file relative to the project directory".</summary>
        public static readonly DiagnosticDescriptor EmptyPath = new(
            id: "MGEN042",
            title: "Empty path",
            messageFormat: "Model '{0}': {1} is empty; give the path of a file relative to the project directory",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN043: a Dropout rate outside [0, 1). Message: "Dropout rate {0} is outside [0, 1)".</summary>
        public static readonly DiagnosticDescriptor DropoutRateOutOfRange = new(
            id: "MGEN043",
            title: "Dropout rate out of range",
            messageFormat: "Dropout rate {0} is outside [0, 1)",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN044: a TF.js weights manifest that does not describe float32 tensors in layer order. Message: "Model '{0}': the weightsManifest of {1} {2}".</summary>
        public static readonly DiagnosticDescriptor WeightsManifestMisfit = new(
            id: "MGEN044",
            title: "Weights manifest does not fit the model",
            messageFormat: "Model '{0}': the weightsManifest of {1} {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);
    }
}
