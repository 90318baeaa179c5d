using System.Runtime.CompilerServices;

// The engine hands each grain its context while the grain's constructor runs (see GrainContextScope).
[assembly: InternalsVisibleTo("OrleansTenancy.Runtime")]
