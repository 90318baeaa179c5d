namespace OrleansTenancy.Tenancy.Registry;

/// <summary>How serious a <see cref="TenantProblem"/> is.</summary>
public enum ProblemSeverity
{
    /// <summary>Worth fixing, but the tenant still loads.</summary>
    Warning = 0,

    /// <summary>The file is invalid: the tenant (or the global defaults) is not loaded from it.</summary>
    Error = 1,
}

/// <summary>
/// One problem found while loading a tenants folder: where it is and, in a plain sentence, what is wrong.
/// </summary>
/// <param name="File">
/// The file (or folder) path, built from the tenants directory exactly as it was given to the loader, so a
/// relative directory yields relative paths.
/// </param>
/// <param name="Line">1-based line; 0 when the problem concerns the file or folder as a whole.</param>
/// <param name="Column">1-based column; 0 when unknown.</param>
/// <param name="Severity">Whether the problem prevents loading.</param>
/// <param name="Message">A plain sentence naming the offending key or value and the fix.</param>
/// <param name="Tenant">The tenant slug (the folder name) the problem belongs to, or <see langword="null"/> for global problems.</param>
public sealed record TenantProblem(
    string File,
    int Line,
    int Column,
    ProblemSeverity Severity,
    string Message,
    string? Tenant)
{
    /// <summary>Formats the problem as <c>file:line: message</c>, the form editors and CI logs understand.</summary>
    public override string ToString()
        => Severity == ProblemSeverity.Warning
            ? $"{File}:{Line}: warning: {Message}"
            : $"{File}:{Line}: {Message}";
}
