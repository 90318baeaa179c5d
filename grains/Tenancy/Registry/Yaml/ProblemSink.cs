namespace OrleansTenancy.Tenancy.Registry.Yaml;

/// <summary>Collects the problems of one file, stamping each with the file path and tenant.</summary>
internal sealed class ProblemSink(string file, string? tenant, List<TenantProblem> problems)
{
    public string File { get; } = file;

    public int ErrorCount { get; private set; }

    public void Error(int line, int column, string message)
    {
        ErrorCount++;
        problems.Add(new TenantProblem(File, line, column, ProblemSeverity.Error, message, tenant));
    }

    public void Error(YamlNode node, string message) => Error(node.Line, node.Column, message);

    public void Warning(YamlNode node, string message)
        => problems.Add(new TenantProblem(File, node.Line, node.Column, ProblemSeverity.Warning, message, tenant));
}
