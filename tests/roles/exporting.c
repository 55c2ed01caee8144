/* A program that is its own host (the API lives in the executable, as in
 * perl or python3): it exports its functions. */
int roles_api(int x);

int roles_api(int x)
{
	return x + 1;
}

int main(void)
{
	return roles_api(-1);
}
