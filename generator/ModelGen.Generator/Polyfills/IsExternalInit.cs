// netstandard2.0 lacks the types that records and init accessors need.
namespace System.Runtime.CompilerServices
{
    /// <summary>Polyfill that lets netstandard2.0 compile <c>init</c> accessors and records.</summary>
    internal static class IsExternalInit { }
}
