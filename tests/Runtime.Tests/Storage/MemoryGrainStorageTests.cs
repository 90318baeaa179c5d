using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Runtime.Tests.Storage;

public sealed class MemoryGrainStorageTests : GrainStorageContractTests
{
    private readonly MemoryGrainStorage _storage = new("memory-test");

    protected override IGrainStorage Storage => _storage;

    [Fact]
    public async Task Stored_state_cannot_be_changed_through_a_reference_the_caller_kept()
    {
        var grain = NewGrain();
        var state = new GrainState<LedgerLikeState>(new LedgerLikeState { Notes = ["kept"] });
        await _storage.WriteStateAsync("budget", grain, state);
        state.State.Notes.Add("mutated after the write");

        var read = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await _storage.ReadStateAsync("budget", grain, read);
        read.State.Notes.Add("mutated after the read");
        var again = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await _storage.ReadStateAsync("budget", grain, again);

        Assert.Equal(["kept"], again.State.Notes);
    }
}
