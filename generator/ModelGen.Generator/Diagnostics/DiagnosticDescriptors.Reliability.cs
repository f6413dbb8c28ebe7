using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Diagnostics
{
    // Diagnostics of the pipeline guard (PipelineGuard): IDs MGEN085-MGEN094 are reserved for reliability.
    internal static partial class DiagnosticDescriptors
    {
        /// <summary>
        /// MGEN085: an unexpected exception inside the generator, caught so that the build gets a located error instead of
        /// the compiler's generic CS8785 (which drops every model's generated code). Message: "ModelGen failed while {0}:
        /// {1}. This is a bug in ModelGen; please report it with this message. Nothing is generated for this model.".
        /// </summary>
        public static readonly DiagnosticDescriptor InternalError = new(
            id: "MGEN085",
            title: "ModelGen internal error",
            messageFormat: "ModelGen failed while {0}: {1}. This is a bug in ModelGen; please report it with this message. Nothing is generated for this model.",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>
        /// MGEN086: a JSON model file longer than <see cref="PipelineGuard.MaxJsonLength"/>, refused before it is parsed (a
        /// JSON declaration of the largest model ModelGen takes is far smaller; a parse costs about 30 bytes of memory per
        /// character). Message: "'{0}' has {1} characters, more than the {2} ModelGen reads in a JSON model file".
        /// </summary>
        public static readonly DiagnosticDescriptor JsonFileTooLarge = new(
            id: "MGEN086",
            title: "JSON model file too large",
            messageFormat: "'{0}' has {1} characters, more than the {2} ModelGen reads in a JSON model file",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);
    }
}
