// The `Teleport` namespace object: protocol symbols a class uses to customise its pickling.
import { serialize, deserialize } from './pickle.js';

export const Teleport = Object.freeze({ serialize, deserialize });
