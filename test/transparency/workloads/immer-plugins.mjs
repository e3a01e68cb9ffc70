// immer's optional plugins, enabled on import. A module of its own: the entry module's top-level
// statements never run in a worker (it is loaded dry there), other modules' do.
import { enableArrayMethods, enableMapSet, enablePatches } from 'immer';

enablePatches();
enableMapSet();
enableArrayMethods();
