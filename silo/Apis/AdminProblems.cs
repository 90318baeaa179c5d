namespace OrleansTenancy.Silo.Apis;

/// <summary>The error bodies of the admin API: ProblemDetails (<c>application/problem+json</c>), as the README documents.</summary>
public static class AdminProblems
{
    /// <summary>
    /// A 400 whose <c>detail</c> joins every problem and whose <c>errors</c> map each field (or <c>body</c>) to its
    /// problems, so that a person reads one sentence and a program finds the field.
    /// </summary>
    public static IResult Invalid(string title, IReadOnlyCollection<KeyValuePair<string, string>> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var errors = problems
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Value).ToArray(), StringComparer.Ordinal);
        return TypedResults.ValidationProblem(errors, detail: string.Join(" ", problems.Select(p => p.Value)), title: title);
    }

    /// <summary>A 400 with one problem.</summary>
    public static IResult Invalid(string title, string field, string problem) => Invalid(title, [new(field, problem)]);
}
