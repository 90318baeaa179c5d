using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Commands;

/// <summary>
/// <c>validate-tenants &lt;dir&gt;</c>: checks a tenants folder without starting the silo. Every problem is
/// printed as <c>file:line: message</c>, then a verdict line, all on standard output (so a pipe or CI log keeps them
/// together); the exit code is 1 when any problem is an error, 0 otherwise. Only a misuse of the command goes to
/// standard error.
/// </summary>
public static class ValidateTenantsCommand
{
    /// <summary>The command's name on the command line.</summary>
    public const string Name = "validate-tenants";

    /// <summary>
    /// Runs the command when <paramref name="args"/> names it; otherwise returns <see langword="false"/> and
    /// leaves the host to start.
    /// </summary>
    public static bool TryRun(string[] args, TextWriter output, TextWriter error, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        exitCode = 0;
        if (args.Length == 0 || !string.Equals(args[0], Name, StringComparison.Ordinal))
        {
            return false;
        }

        if (args.Length != 2 || args[1].StartsWith('-'))
        {
            error.WriteLine($"usage: {Name} <tenants-dir>");
            exitCode = 2;
            return true;
        }

        exitCode = Run(args[1], output, error);
        return true;
    }

    /// <summary>Validates <paramref name="directory"/> and prints its problems.</summary>
    public static int Run(string directory, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!Directory.Exists(directory))
        {
            error.WriteLine($"{directory}: no such folder; pass the tenants folder, e.g. '{Name} tenants'.");
            return 1;
        }

        var problems = TenantRegistryLoader.Validate(directory);
        foreach (var problem in problems)
        {
            output.WriteLine(problem.ToString());
        }

        var errors = problems.Count(p => p.Severity == ProblemSeverity.Error);
        var warnings = problems.Count - errors;
        output.WriteLine(errors == 0
            ? $"{directory}: valid ({warnings} warning(s))."
            : $"{directory}: {errors} error(s), {warnings} warning(s).");
        return errors == 0 ? 0 : 1;
    }
}
