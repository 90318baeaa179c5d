namespace OrleansTenancy.TestSupport;

/// <summary>The repository the tests and benchmarks run from.</summary>
public static class RepositoryRoot
{
    /// <summary>The folder holding OrleansTenancy.sln, found by walking up from the running binaries.</summary>
    /// <returns>Its full path.</returns>
    /// <exception cref="InvalidOperationException">The binaries do not run from a checkout of the repository.</exception>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansTenancy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OrleansTenancy.sln above '{AppContext.BaseDirectory}'; run from a checkout of the repository.");
    }

}
