from fake_edgar.server import main

main()
