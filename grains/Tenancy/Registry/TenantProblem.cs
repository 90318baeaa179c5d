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
    /// <summary>The longest quoted token a message repeats from a file; longer ones are cut with an ellipsis.</summary>
    public const int MaxQuotedLength = 80;

    /// <summary>
    /// A plain sentence naming the offending key or value and the fix. A token quoted from the file is cut to
    /// <see cref="MaxQuotedLength"/> characters, so that a message never carries more of a file than its offending token.
    /// </summary>
    public string Message { get; init; } = ShortenQuotes(Message);

    /// <summary>Formats the problem as <c>file:line: message</c>, the form editors and CI logs understand.</summary>
    public override string ToString()
        => Severity == ProblemSeverity.Warning
            ? $"{File}:{Line}: warning: {Message}"
            : $"{File}:{Line}: {Message}";

    /// <summary>Cuts every quoted run (<c>'...'</c> or <c>"..."</c>) longer than <see cref="MaxQuotedLength"/>.</summary>
    private static string ShortenQuotes(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length <= MaxQuotedLength)
        {
            return message;
        }

        var shortened = new System.Text.StringBuilder(message.Length);
        var i = 0;
        while (i < message.Length)
        {
            var quote = message[i];
            // An opening quote follows a space or bracket; the apostrophe of "tenant's" does not open a quotation.
            var opens = quote is '\'' or '"' && (i == 0 || message[i - 1] is ' ' or '(' or '[' or '=' or ':');
            var close = opens ? message.IndexOf(quote, i + 1) : -1;
            if (close < 0)
            {
                shortened.Append(quote);
                i++;
                continue;
            }

            var inner = close - i - 1;
            shortened.Append(quote);
            shortened.Append(message, i + 1, Math.Min(inner, MaxQuotedLength - 1));
            if (inner > MaxQuotedLength - 1)
            {
                shortened.Append('…');
            }

            shortened.Append(quote);
            i = close + 1;
        }

        return shortened.ToString();
    }
}
