import { post } from './post';

void post();
